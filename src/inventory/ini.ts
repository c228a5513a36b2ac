/**
 * Ansible's INI inventory format, parsed line by line as its `ini` plugin does: hosts before
 * any section are ungrouped; `[g]`, `[g:vars]`, `[g:children]` sections; `host k=v` lines typed
 * with Python literal rules; groups may be used as children before they are declared.
 */
import { InventoryError } from './types.ts';
import { HostRangeError, expandHostPattern } from './host-pattern.ts';
import { ModelError, type InventoryModel } from './model.ts';
import { pythonLiteral } from './py-literal.ts';
import { shlexSplit } from './shlex.ts';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

export function parseIni(model: InventoryModel, text: string, file: string): void {
  function fail(line: number, msg: string): never {
    throw new InventoryError(msg, file, line);
  }
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(/\r\n|\r|\n/);

  const addPendingChildren = (name: string): void => {
    for (const parent of pending.get(name)!.parents) {
      model.addChild(parent, name);
      if (pending.get(parent)?.state === 'children') addPendingChildren(parent);
    }
    pending.delete(name);
  };

  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    const line = raw.trim();
    if (!line || line[0] === '#' || line[0] === ';') continue;
    try {
      const section = SECTION.exec(line);
      if (section) {
        group = section[1];
        state = section[2] ?? 'hosts';
        if (!['hosts', 'children', 'vars'].includes(state)) {
          fail(
            lineNo,
            `section [${group}:${state}] has an unknown type '${state}': use [${group}], [${group}:vars] or [${group}:children]`,
          );
        }
        if (!model.groups.has(group)) {
          // [g:vars] alone does not declare g; remember it and check at the end.
          if (state === 'vars' && !pending.has(group)) pending.set(group, { line: lineNo, state: 'vars', parents: [] });
          model.addGroup(group);
        }
        const p = pending.get(group);
        if (p && state !== 'vars') {
          if (p.state === 'children') addPendingChildren(group);
          else pending.delete(group);
        }
        continue;
      }
      if (line.startsWith('[') && line.endsWith(']')) {
        fail(lineNo, `invalid section '${line}': a section is [name], [name:vars] or [name:children], with no spaces`);
      }
      if (state === 'hosts') parseHostLine(model, line, group, (m) => fail(lineNo, m));
      else if (state === 'vars') {
        const eq = line.indexOf('=');
        if (eq < 0) fail(lineNo, `expected key=value in [${group}:vars], got: ${line}`);
        model.setGroupVar(group, line.slice(0, eq).trim(), pythonLiteral(line.slice(eq + 1).trim()));
      } else {
        const m = GROUP_NAME.exec(line);
        if (!m) fail(lineNo, `expected a group name in [${group}:children], got: ${line}`);
        const child = m[1];
        if (!model.groups.has(child)) {
          const p = pending.get(child);
          if (p) p.parents.push(group);
          else pending.set(child, { line: lineNo, state: 'children', parents: [group] });
        } else model.addChild(group, child);
      }
    } catch (e) {
      if (e instanceof ModelError || e instanceof HostRangeError) fail(lineNo, e.message);
      throw e;
    }
  }

  for (const [name, p] of pending) {
    if (p.state === 'vars') {
      throw new InventoryError(
        `section [${name}:vars] is for a group that is never defined: add a [${name}] or [${name}:children] section, or fix the name`,
        file,
        p.line,
      );
    }
    throw new InventoryError(
      `section [${p.parents[p.parents.length - 1]}:children] names group '${name}', which is never defined: add a [${name}] section, or fix the name`,
      file,
      p.line,
    );
  }
}

function parseHostLine(model: InventoryModel, line: string, group: string, fail: (m: string) => never): void {
  let tokens: string[];
  try {
    tokens = shlexSplit(line);
  } catch (e) {
    fail(`cannot read host line '${line}': ${(e as Error).message}; check its quotes`);
  }
  if (tokens.length === 0) return;
  const pattern = tokens[0];
  const { hosts, port } = expandHostPattern(pattern);
  if (pattern.trim().endsWith(':') && port === undefined) {
    fail(`host '${pattern}' ends in ':' with no port: write host:port, or drop the ':'`);
  }
  if (hosts.some((h) => h.trim() === '---')) fail(`host '---' looks like YAML: name the file .yml`);
  const vars: [string, unknown][] = [];
  for (const t of tokens.slice(1)) {
    const eq = t.indexOf('=');
    if (eq < 0) fail(`expected key=value after the host name, got: ${t}`);
    vars.push([t.slice(0, eq), pythonLiteral(t.slice(eq + 1))]);
  }
  for (const h of hosts) {
    model.addHost(h, group, port);
    for (const [k, v] of vars) model.setHostVar(h, k, v);
  }
}
