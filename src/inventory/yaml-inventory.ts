/**
 * Ansible's YAML inventory structure (`all` / `children` / `hosts` / `vars`), walked as its
 * `yaml` plugin does. A TypeScript inventory module produces the same shape, so it goes
 * through here too.
 */
import { InventoryError } from './types.ts';
import { HostRangeError, expandHostPattern } from './host-pattern.ts';
import { ModelError, type InventoryModel } from './model.ts';

type LineOf = (path: readonly string[]) => number | undefined;
/** A key YAML read as a number, with how it was written (from loadYaml). */
type NumericKey = (path: readonly string[]) => { source: string; line: number } | undefined;

const SECTIONS = ['vars', 'children', 'hosts'] as const;

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

function kind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null || v === undefined) return 'empty';
  return `a ${typeof v}`;
}

/**
 * As Ansible's yaml plugin: a host written `1234:`, `010:` or `0x1F:` is a number to YAML (1234, 8,
 * 31), and taking it as a host name would reach a host other than the one written.
 */
function refuseNumericHost(key: ReturnType<NumericKey>, pattern: string, file: string): void {
  if (!key) return;
  const written = key.source === pattern ? '' : ` (written ${key.source})`;
  throw new InventoryError(
    `Host pattern ${pattern}${written} must be a string. Enclose integers/floats in quotation marks: '${key.source}':`,
    file,
    key.line,
  );
}

export function parseYamlInventory(
  model: InventoryModel,
  data: unknown,
  file: string,
  lineOf: LineOf = () => undefined,
  numericKey: NumericKey = () => undefined,
): void {
  function fail(msg: string, path: readonly string[]): never {
    throw new InventoryError(msg, file, lineOf(path));
  }
  if (data === null || data === undefined) return; // Ansible reads an empty file as an empty inventory
  if (!isMapping(data)) {
    fail(`an inventory must be a mapping of group names (e.g. 'all:'), not ${kind(data)}`, []);
  }
  if ('plugin' in data) {
    fail(
      `this is an inventory plugin configuration ('plugin: ${String(data.plugin)}'), which sls-play does not run: save what the plugin finds with 'ansible-inventory -i ${file} --list > fleet.json' and give fleet.json`,
      ['plugin'],
    );
  }

  const parseGroup = (name: string, body: unknown, path: string[], nested: boolean): boolean => {
    if (!isMapping(body) && body !== null && body !== undefined) {
      if (nested) fail(`group '${name}' must be a mapping with hosts, children or vars, not ${kind(body)}`, path);
      model.warnings.push(`${file}: skipping '${name}' as this is not a valid group definition`);
      return false;
    }
    try {
      model.addGroup(name);
    } catch (e) {
      if (e instanceof ModelError) fail(e.message, path);
      throw e;
    }
    if (!body) return true;
    for (const section of SECTIONS) {
      const v = body[section];
      if (typeof v !== 'string' && v !== undefined && v !== null && !isMapping(v)) {
        const example = section === 'hosts' ? ` (e.g. 'hosts:' then 'web1:' on its own line, not '- web1')` : '';
        fail(`'${section}' of group '${name}' must be a mapping, not ${kind(v)}${example}`, [...path, section]);
      }
    }
    for (const [key, raw] of Object.entries(body)) {
      const at = [...path, key];
      // A section given as one name is short for a mapping of that name to nothing.
      const value = typeof raw === 'string' && (SECTIONS as readonly string[]).includes(key) ? { [raw]: null } : raw;
      if (value === null || value === undefined) continue;
      if (!isMapping(value)) {
        model.warnings.push(`${file}: skipping key (${key}) in group (${name}) as it is not a mapping`);
        continue;
      }
      try {
        if (key === 'vars') {
          for (const [k, v] of Object.entries(value)) model.setGroupVar(name, k, v);
        } else if (key === 'children') {
          for (const [child, childBody] of Object.entries(value)) {
            if (parseGroup(child, childBody, [...at, child], true)) model.addChild(name, child);
          }
        } else if (key === 'hosts') {
          for (const [pattern, hostVars] of Object.entries(value)) {
            refuseNumericHost(numericKey([...at, pattern]), pattern, file);
            if (hostVars !== null && hostVars !== undefined && !isMapping(hostVars)) {
              fail(
                `host '${pattern}' in group '${name}' must have a mapping of variables or nothing, not ${kind(hostVars)}`,
                [...at, pattern],
              );
            }
            const { hosts, port } = expandHostPattern(pattern);
            for (const h of hosts) {
              model.addHost(h, name, port);
              for (const [k, v] of Object.entries(hostVars ?? {})) model.setHostVar(h, k, v);
            }
          }
        } else {
          model.warnings.push(
            `${file}: skipping unexpected key (${key}) in group (${name}), only "vars", "children" and "hosts" are valid`,
          );
        }
      } catch (e) {
        if (e instanceof ModelError || e instanceof HostRangeError) fail(e.message, at);
        throw e;
      }
    }
    return true;
  };

  for (const [name, body] of Object.entries(data)) parseGroup(name, body, [name], false);
}
