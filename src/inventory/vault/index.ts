/** Ansible Vault: encrypted inventory files and inline `!vault` values. */
export { isVaultText, VAULT_HEADER } from './envelope.ts';
export { HOW_TO_GIVE_PASSWORD, VaultError, VaultKeyring, type VaultSecret } from './keyring.ts';
export { decryptInlineVars, isVaultedValue, type VaultedValue } from './inline.ts';
export {
  loadVaultKeyring,
  parseVaultId,
  VaultPasswordError,
  type AskPassword,
  type VaultPasswordOptions,
} from './passwords.ts';
