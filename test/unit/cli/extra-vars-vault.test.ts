/**
 * `-e @secrets.yml` holding vaulted data, made by the real ansible-vault: opened with the same
 * passwords as the inventory, as ansible-playbook opens it, and masked where it enters.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../src/cli/errors.ts';
import { parseExtraVars } from '../../../src/cli/extra-vars.ts';
import { loadTargets } from '../../../src/cli/targets.ts';
import { redact } from '../../../src/report/secrets.ts';
import { loadVaultKeyring } from '../../../src/inventory/vault/index.ts';
import type { AnsibleSettings } from '../../../src/config/ansible-settings.ts';
import { passwordFile, skipVault, vaultEncryptFile, vaultEncryptString } from '../../helpers/ansible-vault.ts';
import { ansibleCommand } from '../inventory/ansible-reference.ts';

let dir: string;
let pw: string;
let labelled: string;
let whole: string;
let inline: string;
let inventory: string;
const noPrompt = () => Promise.reject(new Error('no terminal'));

before(async () => {
  if (skipVault) return;
  dir = mkdtempSync(join(tmpdir(), 'sls-ev-vault-'));
  pw = passwordFile(dir, 'pw', 'extra vars password');
  labelled = passwordFile(dir, 'pw-prod', 'prod password');
  whole = join(dir, 'secrets.yml');
  writeFileSync(whole, 'sls_api_key: whole-file-key-0123\nenabled: yes\n');
  await vaultEncryptFile(whole, pw);
  inline = join(dir, 'inline.yml');
  writeFileSync(
    inline,
    `${await vaultEncryptString('backup_target', 's3://vaulted-bucket/x', `prod@${labelled}`)}region: eu-west-1\n`,
  );
  inventory = join(dir, 'hosts');
  writeFileSync(inventory, '[web]\nweb-01 ansible_host=127.0.0.1\n');
});

/** What ansible sees of a variable with the same -e and passwords. */
async function ansibleValue(name: string, args: string[]): Promise<unknown> {
  const out = await ansibleCommand('ansible', ['localhost', '-m', 'debug', '-a', `var=${name}`, ...args]);
  return (JSON.parse(out.slice(out.indexOf('{'))) as Record<string, unknown>)[name];
}

describe('vaulted -e @file', { skip: skipVault }, () => {
  it('a file encrypted whole is decrypted, and read with YAML 1.1 as Ansible reads it', async () => {
    const vault = await loadVaultKeyring({ vaultPasswordFiles: [pw], env: {} }, noPrompt);
    const vars = parseExtraVars([`@${whole}`], vault);
    assert.deepEqual(vars, { sls_api_key: 'whole-file-key-0123', enabled: true });
    assert.equal(await ansibleValue('enabled', ['-e', `@${whole}`, '--vault-password-file', pw]), true);
    assert.equal(
      await ansibleValue('sls_api_key', ['-e', `@${whole}`, '--vault-password-file', pw]),
      'whole-file-key-0123',
    );
  });

  it('inline !vault values under a vault id are opened, and each plaintext is handed on for masking', async () => {
    const vault = await loadVaultKeyring({ vaultIds: [`prod@${labelled}`], env: {} }, noPrompt);
    const opened: string[] = [];
    const vars = parseExtraVars([`@${inline}`], vault, (p) => opened.push(p));
    assert.deepEqual(vars, { backup_target: 's3://vaulted-bucket/x', region: 'eu-west-1' });
    assert.deepEqual(opened, ['s3://vaulted-bucket/x']);
    assert.equal(
      await ansibleValue('backup_target', ['-e', `@${inline}`, '--vault-id', `prod@${labelled}`]),
      's3://vaulted-bucket/x',
    );
  });

  it('without a password: exit 5 naming the -e file, saying it is vault-encrypted and how to give the password', () => {
    for (const [file, variable] of [
      [whole, ''],
      [inline, ': variable backup_target'],
    ] as const) {
      assert.throws(
        () => parseExtraVars([`@${file}`]),
        (e: unknown) =>
          e instanceof CliError &&
          e.exitCode === 5 &&
          e.message.startsWith(`-e @${file}${variable}: vault-encrypted`) &&
          e.message.includes('--vault-password-file') &&
          !e.message.includes('\n'),
      );
    }
  });

  it('loadTargets opens -e files with the inventory passwords (here ansible.cfg vault_password_file) and masks them', async () => {
    const ansible: AnsibleSettings = { vaultPasswordFile: pw, vaultIdentityList: [`prod@${labelled}`], origin: {} };
    const [target] = await loadTargets(inventory, 'all', [`@${whole}`, `@${inline}`], undefined, { ansible });
    assert.equal(target?.vars.sls_api_key, 'whole-file-key-0123');
    assert.equal(target?.vars.backup_target, 's3://vaulted-bucket/x');
    // secret-named, and vaulted inline and long enough: both masked; a plain value is not
    assert.doesNotMatch(redact('key whole-file-key-0123 to s3://vaulted-bucket/x'), /whole-file-key|vaulted-bucket/);
    assert.equal(redact('eu-west-1'), 'eu-west-1');
  });

  it('loadTargets without any password is exit 5 before the inventory is read', async () => {
    await assert.rejects(
      loadTargets(inventory, 'all', [`@${whole}`], undefined, { ansible: { origin: {} } }),
      (e: unknown) =>
        e instanceof CliError && e.exitCode === 5 && /vault-encrypted and no vault password was given/.test(e.message),
    );
  });
});
