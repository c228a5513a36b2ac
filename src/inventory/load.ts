/**
 * loadInventory: parse the sources (one path, or several merged in order), apply Ansible's
 * reconcile step, read group_vars/ and host_vars/ beside each source, and merge every host's
 * variables in Ansible's precedence.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Inventory, InventoryGroup, InventoryHost, Vars } from './types.ts';
import { InventoryModel, type GroupNode } from './model.ts';
import { parseSource } from './sources.ts';
import { VarsDir } from './vars-files.ts';
import type { LoadOptions } from './read-text.ts';

/** Ansible's sort_groups: shallow groups first, then by ansible_group_priority, then by name. */
export function sortGroups(groups: GroupNode[]): GroupNode[] {
  return [...groups].sort(
    (a, b) => a.depth - b.depth || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function merge(layers: Vars[]): Vars {
  // Ansible's default hash_behaviour is `replace`: a later layer replaces a whole key.
  return Object.assign({}, ...layers) as Vars;
}

/**
 * `paths` are several sources when ansible.cfg names several (`inventory = a,b`): parsed into
 * one model in order, as Ansible's InventoryManager parses them, and each one's group_vars/ and
 * host_vars/ read, a later source's winning, as Ansible's vars plugins combine them.
 */
export async function loadInventory(paths: string | readonly string[], options: LoadOptions = {}): Promise<Inventory> {
  const sources = typeof paths === 'string' ? [paths] : [...paths];
  const model = new InventoryModel();
  for (const path of sources) await parseSource(model, path, options);
  model.reconcile();

  // Ansible reads group_vars/ and host_vars/ in the source directory, or beside a source file.
  const bases = await Promise.all(
    sources.map(async (path) => ((await stat(path)).isDirectory() ? path : dirname(path))),
  );
  const varsOf = await Promise.all(bases.map((base) => sourceVars(base, model, options)));
  const groupFilesOf = (group: string) => varsOf.map((v) => v.groupFiles.get(group)!);

  const groups = new Map<string, InventoryGroup>();
  for (const g of model.groups.values()) {
    groups.set(g.name, {
      name: g.name,
      hosts: [...g.hosts],
      children: [...g.children],
      vars: merge([g.vars, ...groupFilesOf(g.name)]),
      depth: g.depth,
      priority: g.priority,
    });
  }

  const order = model.groupHosts('all');
  const hostFiles = await Promise.all(order.map((name) => Promise.all(varsOf.map((v) => v.hostDir.varsFor(name)))));
  const hosts = new Map<string, InventoryHost>();
  const all = model.groups.get('all')!;
  for (const [i, name] of order.entries()) {
    const h = model.hosts.get(name)!;
    const mine = sortGroups([...model.hostGroups(name)].filter((g) => g !== 'all').map((g) => model.groups.get(g)!));
    // Ansible's VARIABLE_PRECEDENCE: every inventory group var sits below every group_vars/ file;
    // the group_vars/ of the host's groups are combined source by source (vars/plugins.py).
    const vars = merge([
      all.vars,
      ...mine.map((g) => g.vars),
      ...groupFilesOf('all'),
      ...varsOf.flatMap((v) => mine.map((g) => v.groupFiles.get(g.name)!)),
      h.vars,
      ...hostFiles[i]!,
    ]);
    hosts.set(name, { name, vars, groups: ['all', ...mine.map((g) => g.name)] });
  }

  return { source: sources.join(','), hosts, groups, warnings: [...model.warnings] };
}

/** One source's group_vars/ files (every group's) and host_vars/ directory. */
async function sourceVars(
  base: string,
  model: InventoryModel,
  options: LoadOptions,
): Promise<{ groupFiles: Map<string, Vars>; hostDir: VarsDir }> {
  const [groupDir, hostDir] = await Promise.all([
    VarsDir.open(base, 'group_vars', options),
    VarsDir.open(base, 'host_vars', options),
  ]);
  const groupFiles = new Map<string, Vars>();
  await Promise.all([...model.groups.keys()].map(async (g) => groupFiles.set(g, await groupDir.varsFor(g))));
  return { groupFiles, hostDir };
}
