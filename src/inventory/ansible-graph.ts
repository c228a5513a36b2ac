/** The tree `ansible-inventory --graph [group] [--vars]` prints. */
import { InventoryError, type Inventory } from './types.ts';
import { withoutInternal } from './ansible-list.ts';
import { pyStr } from './py-repr.ts';

export interface GraphOptions {
  /** Also print each host's merged variables and each group's variables (`--vars`). */
  vars?: boolean;
}

export function toAnsibleGraph(inventory: Inventory, group = 'all', options: GraphOptions = {}): string {
  if (!inventory.groups.has(group)) {
    throw new InventoryError(`--graph takes a group name, and there is no group '${group}'`);
  }
  const lines: string[] = [];
  const name = (text: string, depth: number): string => (depth ? `${'  |'.repeat(depth)}--${text}` : text);
  const showVars = (vars: Record<string, unknown>, depth: number): void => {
    for (const k of Object.keys(vars).sort()) lines.push(name(`{${k} = ${pyStr(vars[k])}}`, depth));
  };
  const walk = (g: string, depth: number): void => {
    const node = inventory.groups.get(g)!;
    lines.push(name(`@${g}:`, depth));
    for (const child of node.children) walk(child, depth + 1);
    if (g !== 'all') {
      for (const h of node.hosts) {
        lines.push(name(h, depth + 1));
        if (options.vars) showVars(withoutInternal(inventory.hosts.get(h)?.vars ?? {}), depth + 2);
      }
    }
    if (options.vars) {
      const vars = withoutInternal(node.vars);
      if ((node.priority ?? 1) !== 1) vars.ansible_group_priority = node.priority;
      showVars(vars, depth + 1);
    }
  };
  walk(group, 0);
  return lines.join('\n');
}
