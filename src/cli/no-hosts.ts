/**
 * What to say when a pattern selects no host. An inventory without hosts is not a mistake in
 * Ansible ("provided hosts list is empty"): it warns and the run does nothing, successfully. A
 * pattern that misses in an inventory with hosts is a mistake, and the message lists what there
 * is to choose from, never an empty list.
 */
import type { Inventory } from '../inventory/types.ts';

const sample = (names: string[]) => names.slice(0, 8).join(', ') + (names.length > 8 ? ', …' : '');

/** The warning for an inventory with no host at all; undefined when it has hosts. */
export function emptyInventoryWarning(inventory: Inventory): string | undefined {
  if (inventory.hosts.size > 0) return undefined;
  return `provided hosts list is empty: ${inventory.source} has no hosts, so no hosts matched and nothing was done`;
}

/** The error for a pattern that matched none of the inventory's hosts. */
export function noHostsMatchedMessage(pattern: string, inventory: Inventory): string {
  const groups = [...inventory.groups.keys()].filter((g) => g !== 'all' && g !== 'ungrouped');
  const choices = groups.length
    ? `groups in this inventory: ${sample(groups)}`
    : `this inventory has no groups; its hosts are: ${sample([...inventory.hosts.keys()])}`;
  return `host pattern '${pattern}' matched no hosts; ${choices}`;
}
