/**
 * The document `ansible-inventory --list` prints: every non-empty group with its `hosts`
 * (not for `all`) and `children`, and `_meta.hostvars` with each host's merged variables.
 */
import type { Inventory, Vars } from './types.ts';

/** Variables ansible-inventory leaves out of its output: they are Ansible's own. */
export const INTERNAL_VARS: ReadonlySet<string> = new Set([
  'ansible_diff_mode',
  'ansible_config_file',
  'ansible_facts',
  'ansible_forks',
  'ansible_inventory_sources',
  'ansible_limit',
  'ansible_playbook_python',
  'ansible_run_tags',
  'ansible_skip_tags',
  'ansible_verbosity',
  'ansible_version',
  'inventory_dir',
  'inventory_file',
  'inventory_hostname',
  'inventory_hostname_short',
  'groups',
  'group_names',
  'omit',
  'playbook_dir',
]);

export function withoutInternal(vars: Vars): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => !INTERNAL_VARS.has(k)));
}

export interface AnsibleGroupEntry {
  hosts?: string[];
  children?: string[];
}

export interface AnsibleList {
  _meta: { hostvars: Record<string, Vars> };
  [group: string]: AnsibleGroupEntry | { hostvars: Record<string, Vars> };
}

export function toAnsibleList(inventory: Inventory): AnsibleList {
  const out: Record<string, AnsibleGroupEntry> = {};
  const seen = new Set<string>();
  const visit = (name: string): void => {
    const g = inventory.groups.get(name);
    if (!g) return;
    const entry: AnsibleGroupEntry = {};
    if (name !== 'all' && g.hosts.length) entry.hosts = [...g.hosts];
    if (g.children.length) entry.children = [...g.children];
    // An empty group is still listed among its parent's children, but gets no entry itself.
    if (entry.hosts || entry.children) out[name] = entry;
    for (const child of g.children) {
      if (!seen.has(child)) {
        seen.add(child);
        visit(child);
      }
    }
  };
  visit('all');
  const hostvars: Record<string, Vars> = {};
  for (const h of inventory.hosts.values()) {
    const vars = withoutInternal(h.vars);
    if (Object.keys(vars).length) hostvars[h.name] = vars;
  }
  return { ...out, _meta: { hostvars } };
}
