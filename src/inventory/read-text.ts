import { readFile } from 'node:fs/promises';
import { isVaultText, VaultKeyring } from './vault/index.ts';

/** Options that change how inventory files are read. */
export interface LoadOptions {
  /** Vault passwords; without them a vault-encrypted file is an error naming the file. */
  vault?: VaultKeyring;
}

/** A file's text; a vault-encrypted file (ansible-vault encrypt) is decrypted first. */
export async function readInventoryText(file: string, options: LoadOptions): Promise<string> {
  const text = await readFile(file, 'utf8');
  return isVaultText(text) ? (options.vault ?? new VaultKeyring()).decrypt(text, file) : text;
}
