import { Option, type Command } from 'commander';
import { loadVaultKeyring, type VaultError, type VaultKeyring, VaultPasswordError } from '../inventory/vault/index.ts';
import type { AnsibleSettings } from '../config/ansible-settings.ts';
import { vaultEnv } from './ansible-config.ts';
import { CliError, EXIT } from './errors.ts';
import { promptSecret } from './prompt.ts';
import { registerSecret } from '../report/secrets.ts';

/** Ansible's vault options, on every command that reads an inventory. */
export interface VaultCliOptions {
  ansible?: AnsibleSettings;
  vaultId?: string[];
  /** --vault-password-file (commander names it by its second flag, --vault-pass-file). */
  vaultPassFile?: string[];
  askVaultPass?: boolean;
  /** Ansible's other spelling of --ask-vault-pass. */
  askVaultPassword?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addVaultOptions(command: Command): Command {
  return command
    .option(
      '--vault-id <[label@]source>',
      'vault password: a file, an executable printing it, or "prompt" (repeatable)',
      collect,
    )
    .option(
      '--vault-password-file, --vault-pass-file <file>',
      'vault password file, or an executable printing the password (repeatable)',
      collect,
    )
    .option('-J, --ask-vault-pass', 'prompt for the vault password (also --ask-vault-password)')
    .addOption(new Option('--ask-vault-password').hideHelp());
}

/** The vault passwords of a run, read before any inventory file (exit 5 when one cannot be had). */
export async function vaultKeyring(options: VaultCliOptions): Promise<VaultKeyring> {
  try {
    return await loadVaultKeyring(
      {
        vaultIds: options.vaultId,
        vaultPasswordFiles: options.vaultPassFile,
        askVaultPass: options.askVaultPass || options.askVaultPassword,
        env: options.ansible ? vaultEnv(options.ansible) : process.env,
      },
      promptSecret,
    );
  } catch (error) {
    if (error instanceof VaultPasswordError) throw new CliError(error.message, EXIT.badOptions);
    throw error;
  }
}

/** A vault that could not be opened: a missing or wrong password is a usage mistake (5), a damaged vault unparseable (4). */
export function vaultCliError(error: VaultError): CliError {
  return new CliError(error.message, error.reason === 'damaged' ? EXIT.parseError : EXIT.badOptions);
}

/**
 * Inline `!vault` values opened, wherever they came from (inventory or `-e @file`).
 * Secret-named ones are masked like every secret-named value; any other vaulted value is
 * masked too once it is long enough not to be an everyday word (a vaulted `ansible_user: root`
 * must not turn every "/root" in the output into the mask).
 */
const MASKED_VAULT_LENGTH = 8;

export function maskOpenedVault(plain: string): void {
  if (plain.length >= MASKED_VAULT_LENGTH) registerSecret(plain);
}
