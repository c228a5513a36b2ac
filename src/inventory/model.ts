/**
 * The inventory as Ansible's InventoryData builds it while parsing: groups with ordered hosts,
 * children and parents, depth and priority; hosts with their own variables and the groups
 * they were added to. Parsers fill it; `reconcile` then applies Ansible's fix-ups.
 */
import type { Vars } from './types.ts';

export interface GroupNode {
  name: string;
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Vars;
  depth: number;
  priority: number;
}

export interface HostNode {
  name: string;
  vars: Vars;
  /** Groups the host was put in directly, in order. */
  groups: string[];
}

/** A relationship Ansible refuses (a loop); the parser adds its file and line. */
export class ModelError extends Error {}

export class InventoryModel {
  readonly groups = new Map<string, GroupNode>();
  readonly hosts = new Map<string, HostNode>();
  readonly warnings: string[] = [];

  constructor() {
    this.addGroup('all');
    this.addGroup('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  addGroup(name: string): GroupNode {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, hosts: [], children: [], parents: [], vars: {}, depth: 0, priority: 1 };
      this.groups.set(name, g);
    }
    return g;
  }

  addHost(name: string, group?: string, port?: number): HostNode {
    let h = this.hosts.get(name);
    if (!h) {
      h = { name, vars: {}, groups: [] };
      if (port) h.vars.ansible_port = port;
      this.hosts.set(name, h);
    }
    if (group) {
      const g = this.groups.get(group);
      if (!g) throw new ModelError(`group ${group} is not defined`);
      if (!g.hosts.includes(name)) {
        g.hosts.push(name);
        h.groups.push(group);
      }
    }
    return h;
  }

  /** Ansible's set_variable: `ansible_group_priority` sets the group's sort priority instead. */
  setGroupVar(group: string, key: string, value: unknown): void {
    const g = this.addGroup(group);
    if (key === 'ansible_group_priority') {
      const n = Number(value);
      if (Number.isInteger(n)) g.priority = n;
      return;
    }
    g.vars[key] = value;
  }

  setHostVar(host: string, key: string, value: unknown): void {
    const h = this.hosts.get(host);
    if (!h) throw new ModelError(`host ${host} is not defined`);
    h.vars[key] = value;
  }

  addChild(parent: string, child: string): void {
    const p = this.groups.get(parent);
    const c = this.groups.get(child);
    if (!p) throw new ModelError(`${parent} is not a known group`);
    if (!c) throw new ModelError(`${child} is not a known group`);
    if (p === c) throw new ModelError(`group '${parent}' cannot be a child of itself`);
    if (p.children.includes(child)) return;
    if (this.ancestors(parent).has(child)) {
      throw new ModelError(`adding group '${child}' as child to '${parent}' creates a loop`);
    }
    p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
    this.deepen(c, p.depth + 1);
  }

  private deepen(g: GroupNode, depth: number): void {
    if (g.depth >= depth) return;
    g.depth = depth;
    for (const k of g.children) this.deepen(this.groups.get(k)!, depth + 1);
  }

  ancestors(group: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...(this.groups.get(group)?.parents ?? [])];
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n)) continue;
      seen.add(n);
      todo.push(...this.groups.get(n)!.parents);
    }
    return seen;
  }

  /** Every group a host is in, directly or through parents (Ansible's host.get_groups()). */
  hostGroups(host: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.hosts.get(host)?.groups ?? []) {
      out.add(g);
      for (const a of this.ancestors(g)) out.add(a);
    }
    return out;
  }

  /** Ansible's reconcile_inventory, run once every source is parsed. */
  reconcile(): void {
    for (const g of this.groups.values()) {
      if (g.name !== 'all' && g.parents.length === 0) this.addChild('all', g.name);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    for (const h of this.hosts.values()) {
      const mine = this.hostGroups(h.name);
      if (mine.has('ungrouped')) {
        if ([...mine].some((g) => g !== 'all' && g !== 'ungrouped')) {
          ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
          h.groups = h.groups.filter((n) => n !== 'ungrouped');
        }
      } else if (mine.size === 0 || (mine.size === 1 && mine.has('all'))) {
        this.addHost(h.name, 'ungrouped');
      }
    }
    for (const name of this.hosts.keys()) {
      if (this.groups.has(name)) this.warnings.push(`Found both group and host with same name: ${name}`);
    }
  }

  /** Hosts of a group and its descendants in Ansible's order (group.get_hosts()). */
  groupHosts(group: string): string[] {
    const start = this.groups.get(group);
    if (!start) return [];
    // Ansible walks the group, its children, then each further generation in turn.
    const ordered = [start.name, ...start.children];
    const seen = new Set(ordered);
    let level = start.children;
    while (level.length) {
      const next: string[] = [];
      for (const g of level) {
        for (const k of this.groups.get(g)!.children) {
          if (!seen.has(k)) {
            seen.add(k);
            ordered.push(k);
            next.push(k);
          }
        }
      }
      level = next;
    }
    const hosts: string[] = [];
    const got = new Set<string>();
    for (const g of ordered) {
      for (const h of this.groups.get(g)!.hosts) {
        if (!got.has(h)) {
          got.add(h);
          hosts.push(h);
        }
      }
    }
    return hosts;
  }
}
