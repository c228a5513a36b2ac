/**
 * Vault files and values made by the real `ansible-vault` at test time, so the tests check
 * sls-play against what Ansible writes rather than against its own idea of the format.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function installed(): Promise<boolean> {
  try {
    await run('sh', ['-c', 'command -v ansible-vault']);
    return true;
  } catch {
    return false;
  }
}

export const skipVault = (await installed()) ? false : 'ansible-vault (ansible-core) is not installed';

// An empty config keeps a developer's ansible.cfg (a vault_identity_list, say) out of the tests.
const config = join(mkdtempSync(join(tmpdir(), 'sls-vault-cfg-')), 'ansible.cfg');
writeFileSync(config, '');
const env = { ...process.env, ANSIBLE_CONFIG: config, ANSIBLE_NOCOLOR: '1' };

/** Writes a password file in `dir` and returns its path. */
export function passwordFile(dir: string, name: string, password: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return file;
}

/** Writes an executable that prints the password (Ansible's script password source). */
export function passwordScript(dir: string, name: string, password: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' '${password}'\n`);
  chmodSync(file, 0o700);
  return file;
}

/** `ansible-vault encrypt` of a file in place, with a vault id (`label@file`, or a password file). */
export async function vaultEncryptFile(file: string, vaultId: string): Promise<void> {
  await run(
    'ansible-vault',
    [
      'encrypt',
      '--vault-id',
      vaultId,
      ...(vaultId.includes('@') ? ['--encrypt-vault-id', vaultId.split('@')[0]!] : []),
      file,
    ],
    { env },
  );
}

/** `ansible-vault encrypt_string`: the `name: !vault |` YAML text for one value. */
export async function vaultEncryptString(name: string, value: string, vaultId: string): Promise<string> {
  const args = [
    'encrypt_string',
    '--vault-id',
    vaultId,
    ...(vaultId.includes('@') ? ['--encrypt-vault-id', vaultId.split('@')[0]!] : []),
    '--name',
    name,
    value,
  ];
  const { stdout } = await run('ansible-vault', args, { env });
  return `${stdout.trimEnd()}\n`;
}
