/** The inventory: load Ansible inventories, select hosts by pattern, print as ansible-inventory. */
export { loadInventory } from './load.ts';
export { selectHosts, splitHostPattern, NoHostsMatchedError } from './patterns.ts';
export { toAnsibleList, type AnsibleList } from './ansible-list.ts';
export { toAnsibleGraph, type GraphOptions } from './ansible-graph.ts';
export * from './types.ts';
export type { LoadOptions } from './read-text.ts';
