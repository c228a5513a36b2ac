/** Ansible Vault: files and values made by the real ansible-vault, opened by sls-play. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/index.ts';
import { toAnsibleList } from '../../../src/inventory/ansible-list.ts';
import {
  decryptInlineVars,
  isVaultedValue,
  loadVaultKeyring,
  parseVaultId,
  VaultError,
  VaultKeyring,
  VaultPasswordError,
} from '../../../src/inventory/vault/index.ts';
import { parseEnvelope } from '../../../src/inventory/vault/envelope.ts';
import {
  passwordFile,
  passwordScript,
  skipVault,
  vaultEncryptFile,
  vaultEncryptString,
} from '../../helpers/ansible-vault.ts';
import { ansibleCommand } from './ansible-reference.ts';

let dir: string;
let pw1: string;
let pw2: string;
let inv: string;
const noPrompt = () => Promise.reject(new Error('no terminal'));

before(async () => {
  if (skipVault) return;
  dir = mkdtempSync(join(tmpdir(), 'sls-vault-unit-'));
  pw1 = passwordFile(dir, 'pw1', 'first password');
  pw2 = passwordFile(dir, 'pw2', 'second-password');
  inv = join(dir, 'inv');
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  mkdirSync(join(inv, 'host_vars'), { recursive: true });
  writeFileSync(join(inv, 'hosts'), '[web]\nweb-01 ansible_host=127.0.0.1\nweb-02\n');
  // a whole vars file under the default id (1.1), one under a labelled id (1.2), and inline values
  writeFileSync(join(inv, 'group_vars', 'web.yml'), 'sls_region: eu-west-1\nteam: blue\n');
  await vaultEncryptFile(join(inv, 'group_vars', 'web.yml'), pw1);
  writeFileSync(join(inv, 'host_vars', 'web-02.yml'), 'ansible_port: 2222\n');
  await vaultEncryptFile(join(inv, 'host_vars', 'web-02.yml'), `prod@${pw2}`);
  writeFileSync(
    join(inv, 'group_vars', 'all.yml'),
    `${await vaultEncryptString('sls_api_key', 'tenant-key-0123', `prod@${pw2}`)}plain: yes\n`,
  );
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ansible-vault envelopes', { skip: skipVault }, () => {
  it('reads format 1.1 (no id) and 1.2 (with its vault id) as ansible-vault writes them', () => {
    const v11 = parseEnvelope(readFileSync(join(inv, 'group_vars', 'web.yml'), 'utf8'));
    assert.equal(v11.version, '1.1');
    assert.equal(v11.vaultId, undefined);
    const v12 = parseEnvelope(readFileSync(join(inv, 'host_vars', 'web-02.yml'), 'utf8'));
    assert.equal(v12.version, '1.2');
    assert.equal(v12.vaultId, 'prod');
  });

  it('decrypts with the right password, tries the matching label first, and refuses a wrong one', async () => {
    const keyring = await loadVaultKeyring({ vaultIds: [`dev@${pw1}`, `prod@${pw2}`] }, noPrompt);
    assert.equal(
      keyring.decrypt(readFileSync(join(inv, 'host_vars', 'web-02.yml'), 'utf8'), 'f'),
      'ansible_port: 2222\n',
    );
    // a label that does not match is still tried, as Ansible does
    assert.match(
      keyring.decrypt(readFileSync(join(inv, 'group_vars', 'web.yml'), 'utf8'), 'f'),
      /sls_region: eu-west-1/,
    );
    const wrong = await loadVaultKeyring({ vaultPasswordFiles: [pw2] }, noPrompt);
    assert.throws(
      () => wrong.decrypt(readFileSync(join(inv, 'group_vars', 'web.yml'), 'utf8'), 'group_vars/web.yml'),
      (e: unknown) =>
        e instanceof VaultError &&
        e.reason === 'wrong-password' &&
        /none of the vault passwords/.test(e.message) &&
        !e.message.includes('first password'),
    );
  });

  it('without a password says the file is vault-encrypted and how to give the password', () => {
    assert.throws(
      () =>
        new VaultKeyring().decrypt(readFileSync(join(inv, 'host_vars', 'web-02.yml'), 'utf8'), 'host_vars/web-02.yml'),
      (e: unknown) =>
        e instanceof VaultError &&
        e.reason === 'no-password' &&
        /host_vars\/web-02.yml: vault-encrypted \(vault id prod\).*--vault-password-file.*--ask-vault-pass/.test(
          e.message,
        ),
    );
  });

  it('a damaged envelope is reported as damaged, not as a wrong password', () => {
    assert.throws(
      () =>
        new VaultKeyring([{ label: 'default', password: Buffer.from('x'), source: 'f' }]).decrypt(
          '$ANSIBLE_VAULT;1.1;AES256\nzz\n',
          'f',
        ),
      (e: unknown) => e instanceof VaultError && e.reason === 'damaged',
    );
  });
});

describe('vault password sources', { skip: skipVault }, () => {
  it('parses [label@]source', () => {
    assert.deepEqual(parseVaultId('prod@/x'), { label: 'prod', source: '/x' });
    assert.deepEqual(parseVaultId('/x'), { label: 'default', source: '/x' });
    assert.deepEqual(parseVaultId('prompt'), { label: 'default', source: 'prompt' });
  });

  it('runs an executable password file and takes its stdout; a -client script gets --vault-id', async () => {
    const script = passwordScript(dir, 'pass.sh', 'first password');
    const client = join(dir, 'vault-client.sh');
    writeFileSync(client, '#!/bin/sh\n[ "$1" = --vault-id ] && [ "$2" = prod ] && echo second-password\n', {
      mode: 0o700,
    });
    const keyring = await loadVaultKeyring({ vaultPasswordFiles: [script], vaultIds: [`prod@${client}`] }, noPrompt);
    assert.deepEqual(
      keyring.secrets.map((s) => [s.label, s.password.toString()]),
      [
        ['prod', 'second-password'],
        ['default', 'first password'],
      ],
    );
  });

  it('takes ANSIBLE_VAULT_PASSWORD_FILE and ANSIBLE_VAULT_IDENTITY_LIST from the environment', async () => {
    const keyring = await loadVaultKeyring(
      { env: { ANSIBLE_VAULT_PASSWORD_FILE: pw1, ANSIBLE_VAULT_IDENTITY_LIST: `prod@${pw2}` } },
      noPrompt,
    );
    assert.deepEqual(
      keyring.secrets.map((s) => s.label),
      ['prod', 'default'],
    );
  });

  it('prompts for --ask-vault-pass and --vault-id label@prompt; a missing file or failing script is a usage error', async () => {
    const asked: string[] = [];
    const keyring = await loadVaultKeyring({ askVaultPass: true, vaultIds: ['prod@prompt'] }, async (q) => {
      asked.push(q);
      return 'typed';
    });
    assert.deepEqual(asked, ['Vault password (prod): ', 'Vault password: ']);
    assert.equal(keyring.secrets.length, 2);
    await assert.rejects(
      loadVaultKeyring({ vaultPasswordFiles: [join(dir, 'missing')] }, noPrompt),
      (e: unknown) => e instanceof VaultPasswordError && /cannot read the vault password file/.test(e.message),
    );
    const failing = join(dir, 'fail.sh');
    writeFileSync(failing, '#!/bin/sh\necho nope >&2; exit 3\n', { mode: 0o700 });
    await assert.rejects(loadVaultKeyring({ vaultPasswordFiles: [failing] }, noPrompt), /exit status 3: nope/);
    await assert.rejects(loadVaultKeyring({ askVaultPass: true }, noPrompt), /--ask-vault-pass: no terminal/);
  });
});

describe('vaulted inventories', { skip: skipVault }, () => {
  it('loadInventory + --list equals ansible-inventory --list with two vault ids (inline values stay encrypted, as there)', async () => {
    const keyring = await loadVaultKeyring({ vaultIds: [pw1, `prod@${pw2}`] }, noPrompt);
    const ours = toAnsibleList(await loadInventory(inv, { vault: keyring }));
    const theirs = JSON.parse(
      await ansibleCommand('ansible-inventory', ['-i', inv, '--list', '--vault-id', pw1, '--vault-id', `prod@${pw2}`]),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(ours)), theirs);
    const web01 = ours._meta.hostvars['web-01']!;
    assert.equal(web01.sls_region, 'eu-west-1');
    assert.ok(isVaultedValue(web01.sls_api_key));
    assert.equal(ours._meta.hostvars['web-02']!.ansible_port, 2222);
  });

  it('decryptInlineVars opens inline values at any depth and hands each plaintext over to be masked', async () => {
    const keyring = await loadVaultKeyring({ vaultIds: [`prod@${pw2}`] }, noPrompt);
    const vars = (
      await loadInventory(inv, { vault: await loadVaultKeyring({ vaultIds: [pw1, `prod@${pw2}`] }, noPrompt) })
    ).hosts.get('web-01')!.vars;
    const opened: string[] = [];
    const nested = { ...vars, deep: { list: [vars.sls_api_key] } };
    const plain = decryptInlineVars(nested, keyring, 'host web-01', (p) => opened.push(p));
    assert.equal(plain.sls_api_key, 'tenant-key-0123');
    assert.deepEqual(plain.deep, { list: ['tenant-key-0123'] });
    assert.deepEqual(opened, ['tenant-key-0123', 'tenant-key-0123']);
    assert.throws(
      () => decryptInlineVars(vars, new VaultKeyring(), 'host web-01', () => {}),
      /host web-01: variable sls_api_key: vault-encrypted \(vault id prod\)/,
    );
  });
});
