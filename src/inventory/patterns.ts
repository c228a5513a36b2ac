/**
 * Ansible host patterns, as `--limit` applies them: `all`, `*`, names, groups, globs, `~regex`,
 * `a:b` / `a,b` unions, `&x` intersections, `!x` exclusions (applied in that order, whatever
 * order they are written in) and `[i]` / `[i:j]` subscripts.
 */
import { readFileSync } from 'node:fs';
import { InventoryError, type Inventory, type InventoryHost } from './types.ts';
import { parseAddress } from './host-pattern.ts';

/** No host matched: the CLI shows the message (which lists some group names) and exits 5. */
export class NoHostsMatchedError extends Error {
  constructor(
    readonly pattern: string,
    groups: string[],
  ) {
    const shown = groups.slice(0, 8).join(', ') + (groups.length > 8 ? ', …' : '');
    super(`host pattern '${pattern}' matched no hosts; groups in this inventory: ${shown}`);
    this.name = 'NoHostsMatchedError';
  }
}

/** Ansible's split_host_pattern: commas first; ':' only where it cannot be a port or range. */
export function splitHostPattern(pattern: string): string[] {
  let parts: string[];
  if (pattern.includes(',')) parts = pattern.split(',');
  else if (parseAddress(pattern)) parts = [pattern];
  else parts = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return parts.map((p) => p.trim()).filter(Boolean);
}

function orderPatterns(patterns: string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '!' && p[0] !== '&');
  const and = patterns.filter((p) => p[0] === '&');
  const not = patterns.filter((p) => p[0] === '!');
  return [...(regular.length ? regular : ['all']), ...and, ...not];
}

/** fnmatch.translate: `*`, `?`, `[seq]`, `[!seq]`, case-sensitive, whole name. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) re += '\\[';
      else {
        let body = glob.slice(i + 1, j).replace(/\\/g, '\\\\');
        if (body[0] === '!') body = `^${body.slice(1)}`;
        else if (body[0] === '^') body = `\\${body}`;
        re += `[${body}]`;
        i = j;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

function patternRegExp(expr: string): RegExp {
  if (expr[0] !== '~') return globToRegExp(expr);
  let src = expr.slice(1);
  let flags = '';
  // Python allows leading inline flags such as (?i); JavaScript takes them as flags.
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    flags = [...new Set(inline[1].replace(/[aLux]/g, ''))].join('');
    src = src.slice(inline[0].length);
  }
  try {
    return new RegExp(`^(?:${src})`, flags); // re.match: anchored at the start only
  } catch {
    throw new Error(`invalid host pattern regex '${expr}': write it as ~<regex>, e.g. ~web0[1-3]`);
  }
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

export function hostsOfGroup(inventory: Inventory, group: string): string[] {
  const start = inventory.groups.get(group);
  if (!start) return [];
  // Ansible's group.get_hosts(): the group, its children, then each further generation.
  const ordered = [group, ...start.children];
  const seen = new Set(ordered);
  let level = start.children;
  while (level.length) {
    const next: string[] = [];
    for (const g of level) {
      for (const k of inventory.groups.get(g)?.children ?? []) {
        if (!seen.has(k)) {
          seen.add(k);
          ordered.push(k);
          next.push(k);
        }
      }
    }
    level = next;
  }
  const out = new Set<string>();
  for (const g of ordered) for (const h of inventory.groups.get(g)!.hosts) out.add(h);
  return [...out];
}

function enumerate(inventory: Inventory, expr: string): string[] {
  const re = patternRegExp(expr);
  const results: string[] = [];
  const groups = [...inventory.groups.keys()].filter((g) => re.test(g));
  for (const g of groups) results.push(...hostsOfGroup(inventory, g));
  if (!groups.length || expr[0] === '~' || /[.?*[]/.test(expr)) {
    for (const h of inventory.hosts.keys()) if (re.test(h)) results.push(h);
  }
  return results;
}

function matchOne(inventory: Inventory, pattern: string): string[] {
  const bare = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
  let expr = bare;
  let sub: [number, number | undefined] | undefined;
  const m = bare[0] === '~' ? null : SUBSCRIPT.exec(bare);
  if (m) {
    expr = m[1];
    sub = m[2] !== undefined ? [Number(m[2]), undefined] : [Number(m[3]), m[5] ? Number(m[5]) : -1];
  }
  const hosts = enumerate(inventory, expr);
  if (!sub || !hosts.length) return hosts;
  const [start, end] = sub;
  if (end !== undefined) return hosts.slice(start, (end === -1 ? hosts.length - 1 : end) + 1);
  const one = hosts.at(start);
  if (one === undefined || start >= hosts.length) throw new Error(`no hosts matched the subscripted pattern '${bare}'`);
  return [one];
}

/** `--limit @file` (e.g. a .retry file) reads one pattern per line from the file. */
function expandLimitFiles(patterns: string[]): string[] {
  return patterns.flatMap((p) => {
    if (p[0] !== '@') return [p];
    try {
      return readFileSync(p.slice(1), 'utf8')
        .split('\n')
        .map((l) => l.trim());
    } catch (e) {
      throw new InventoryError(
        `cannot read limit file ${p.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; '@' must be followed by a file of host names`,
      );
    }
  });
}

/** The hosts a pattern selects (as `--limit` does), in inventory order. */
export function selectHosts(inventory: Inventory, pattern: string): InventoryHost[] {
  let hosts: string[] = [];
  for (const p of orderPatterns(expandLimitFiles(splitHostPattern(pattern)).filter(Boolean))) {
    if (inventory.hosts.has(p)) {
      hosts.push(p);
      continue;
    }
    const that = new Set(matchOne(inventory, p));
    if (p[0] === '!') hosts = hosts.filter((h) => !that.has(h));
    else if (p[0] === '&') hosts = hosts.filter((h) => that.has(h));
    else {
      const have = new Set(hosts);
      for (const h of that)
        if (!have.has(h)) {
          have.add(h);
          hosts.push(h);
        }
    }
  }
  const chosen = new Set(hosts);
  const result = [...inventory.hosts.values()].filter((h) => chosen.has(h.name));
  if (!result.length) {
    throw new NoHostsMatchedError(
      pattern,
      [...inventory.groups.keys()].filter((g) => g !== 'all' && g !== 'ungrouped'),
    );
  }
  return result;
}
