// A vaulted `-e @secrets.yml` through the real CLI, without connecting to any host: one line and
// exit 5 without a password; with one (here ANSIBLE_VAULT_PASSWORD_FILE, as for the inventory)
// its values reach the connection sls-play would make, and `exec --list-hosts` needs no command.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { passwordFile, skipVault, vaultEncryptFile, vaultEncryptString } from '../helpers/ansible-vault.ts';

let dir: string;
let inventory: string;
let secrets: string;
let env: Record<string, string>;

before(async () => {
  if (skipVault) return;
  dir = mkdtempSync(join(tmpdir(), 'sls-e2e-ev-vault-'));
  writeFileSync(join(dir, 'ansible.cfg'), '');
  env = { ANSIBLE_CONFIG: join(dir, 'ansible.cfg') };
  const pw = passwordFile(dir, 'pw', 'e2e extra vars password');
  inventory = join(dir, 'hosts');
  writeFileSync(inventory, '[web]\nweb-01 ansible_host=192.0.2.1\nweb-02\n');
  // the whole file encrypted, and inside it an inline value under the same password
  secrets = join(dir, 'secrets.yml');
  writeFileSync(secrets, `ansible_host: 192.0.2.77\n${await vaultEncryptString('ansible_user', 'ops', pw)}`);
  await vaultEncryptFile(secrets, pw);
  env.ANSIBLE_VAULT_PASSWORD_FILE = pw;
});

test('without a vault password: exit 5, one line naming the file and how to give the password', {
  skip: skipVault,
}, async () => {
  const r = await runCli(['exec', inventory, 'web', '--list-hosts', '-e', `@${secrets}`], {
    env: { ANSIBLE_CONFIG: env.ANSIBLE_CONFIG },
  });
  assert.equal(r.code, 5, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `^sls-play: -e @${secrets}: vault-encrypted and no vault password was given; give the password with --vault-password-file`,
    ),
  );
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.equal(r.stdout, '');
});

test('with ANSIBLE_VAULT_PASSWORD_FILE: exec --list-hosts with no command, and the -e values in the connection', {
  skip: skipVault,
}, async () => {
  const hosts = await runCli(['exec', inventory, 'web', '--list-hosts', '-e', `@${secrets}`], { env });
  assert.deepEqual([hosts.code, hosts.stdout, hosts.stderr], [0, '  hosts (2):\n    web-01\n    web-02\n', '']);
  const conn = await runCli(['inventory', inventory, '--host', 'web-01', '--connection', '-e', `@${secrets}`], { env });
  assert.equal(conn.code, 0, conn.stderr);
  const json = JSON.parse(conn.stdout) as { address: string; user: string };
  assert.equal(json.address, '192.0.2.77');
  assert.equal(json.user, 'ops');
});
