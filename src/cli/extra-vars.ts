import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Vars } from '../inventory/types.ts';
import { CliError, EXIT } from './errors.ts';

/**
 * `-e` values as Ansible takes them: `k=v k2=v2`, `@file.yml`, or an inline YAML/JSON mapping.
 * Later ones win.
 */
export function parseExtraVars(values: string[]): Vars {
  const out: Vars = {};
  for (const value of values) {
    if (value.startsWith('@')) {
      const file = value.slice(1);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new CliError(`-e ${value}: cannot read ${file}; check the path`, EXIT.badOptions);
      }
      Object.assign(out, mapping(text, file));
    } else if (/^\s*[{]/.test(value)) {
      Object.assign(out, mapping(value, '-e'));
    } else {
      for (const pair of value.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new CliError(`-e "${pair}": expected key=value, @file.yml or a YAML mapping`, EXIT.badOptions);
        out[pair.slice(0, eq)] = pair.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2');
      }
    }
  }
  return out;
}

function mapping(text: string, where: string): Vars {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new CliError(`${where}${line ? `:${line}` : ''}: not valid YAML; fix the extra variables`, EXIT.badOptions);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new CliError(`${where}: extra variables must be a mapping of names to values`, EXIT.badOptions);
  }
  return data as Vars;
}
