import { readFileSync } from 'node:fs';

const known = new Map<string, string | undefined>();

/**
 * The key type of each identity file, from the first word of its `.pub` (as ssh finds a key's
 * type without its passphrase), read once per file for the whole run.
 */
export function identityKeyTypes(files: readonly string[]): Record<string, string> {
  const types: Record<string, string> = {};
  for (const file of files) {
    if (!known.has(file)) {
      let type: string | undefined;
      try {
        type = readFileSync(`${file}.pub`, 'utf8').slice(0, 200).split(/\s/)[0] || undefined;
      } catch {
        type = undefined;
      }
      known.set(file, type);
    }
    const type = known.get(file);
    if (type !== undefined) types[file] = type;
  }
  return types;
}
