import { readFileSync } from 'node:fs';
import { InventoryError, type Vars } from '../inventory/types.ts';
import { decryptInlineVars, isVaultText, VaultError, VaultKeyring } from '../inventory/vault/index.ts';
import { loadVarsText } from '../inventory/yaml-load.ts';
import { CliError, EXIT } from './errors.ts';
import { vaultCliError } from './vault-options.ts';

/**
 * `-e` values as Ansible takes them: `k=v k2=v2`, `@file.yml`, or an inline YAML/JSON mapping.
 * Later ones win. A file may be vault-encrypted whole or hold inline `!vault` values, opened
 * with the run's vault passwords (`vault`), as ansible-playbook opens them; `opened` gets each
 * inline plaintext, so the caller can mask it.
 */
export function parseExtraVars(
  values: string[],
  vault: VaultKeyring = new VaultKeyring(),
  opened: (plain: string) => void = () => {},
): Vars {
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
      try {
        if (isVaultText(text)) text = vault.decrypt(text, `-e ${value}`);
        Object.assign(out, decryptInlineVars(mapping(text, file), vault, `-e ${value}`, opened));
      } catch (error) {
        if (error instanceof VaultError) throw vaultCliError(error);
        throw error;
      }
    } else if (/^\s*[{]/.test(value)) {
      Object.assign(out, mapping(value, '-e'));
    } else {
      Object.assign(out, keyValues(value));
    }
  }
  return out;
}

/**
 * `k=v k2="v 2"`, split at spaces outside quotes. The message names the whole `-e` argument: a
 * value from `$(…)` that holds a space is cut there, and only the argument shows why.
 */
function keyValues(arg: string): Vars {
  const out: Vars = {};
  const words = arg.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  if (arg.replace(/"[^"]*"|'[^']*'/g, '').match(/["']/)) {
    throw new CliError(
      `-e "${arg}": a quote is not closed; close it, or put the variables in a file and use -e @vars.yml`,
      EXIT.badOptions,
    );
  }
  for (const [i, word] of words.entries()) {
    const eq = word.indexOf('=');
    if (eq > 0) {
      out[word.slice(0, eq)] = word.slice(eq + 1).replace(/^(["'])(.*)\1$/, '$2');
      continue;
    }
    const cut =
      i > 0
        ? ` (the value of ${words[i - 1]?.split('=')[0]} was cut at a space: quote it, e.g. -e '${words[i - 1]?.split('=')[0]}="a b"', or use -e @vars.yml)`
        : '';
    throw new CliError(
      `-e "${arg}": cannot parse "${word}", expected key=value, @file.yml or a YAML mapping${cut}`,
      EXIT.badOptions,
    );
  }
  return out;
}

/** Read as Ansible reads a vars file (JSON, else YAML 1.1 with `!vault` and `!unsafe`), like group_vars. */
function mapping(text: string, where: string): Vars {
  let data: unknown;
  try {
    data = loadVarsText(text, where);
  } catch (error) {
    if (!(error instanceof InventoryError)) throw error;
    const line = error.line;
    throw new CliError(`${where}${line ? `:${line}` : ''}: not valid YAML; fix the extra variables`, EXIT.badOptions);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new CliError(`${where}: extra variables must be a mapping of names to values`, EXIT.badOptions);
  }
  return data as Vars;
}
