/**
 * Inline `!vault |` values. The YAML loader keeps them as `{ __ansible_vault: <envelope> }`,
 * the shape ansible-inventory prints them in; they are opened only when a run uses the
 * variables (as Ansible decrypts them lazily), never for `inventory --list`.
 */
import type { Vars } from '../types.ts';
import type { VaultKeyring } from './keyring.ts';

export interface VaultedValue {
  __ansible_vault: string;
}

export function isVaultedValue(value: unknown): value is VaultedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { __ansible_vault?: unknown }).__ansible_vault === 'string'
  );
}

/**
 * `vars` with every inline vaulted value (at any depth) replaced by its plaintext. `opened`
 * receives each plaintext, so the caller can mark it secret: whoever vaulted a value meant it.
 */
export function decryptInlineVars(
  vars: Vars,
  keyring: VaultKeyring,
  where: string,
  opened: (plaintext: string) => void,
): Vars {
  const walk = (value: unknown, path: string): unknown => {
    if (isVaultedValue(value)) {
      const plain = keyring.decrypt(value.__ansible_vault, path);
      opened(plain);
      return plain;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
    // plain mappings only: a class instance (an !unsafe value, a date) is kept as it is
    if (
      typeof value === 'object' &&
      value !== null &&
      [Object.prototype, null].includes(Object.getPrototypeOf(value))
    ) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return value;
  };
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, walk(v, `${where}: variable ${k}`)]));
}
