// A vaulted sls_api_key (inline !vault value under a vault id) and a vault-encrypted host_vars
// file, made by the real ansible-vault: deploy decrypts them, the key reaches the host's config,
// and it is masked in every output; without the password nothing is touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { runCli } from '../helpers/cli.ts';
import {
  passwordFile,
  passwordScript,
  skipVault,
  vaultEncryptFile,
  vaultEncryptString,
} from '../helpers/ansible-vault.ts';
import { ansibleCommand } from '../unit/inventory/ansible-reference.ts';

const KEY = 'vaulted-tenant-key-5f2a9c';
const env = { SLS_API_KEY: undefined };
let fleet: Fleet;
let work: string;
let inv: string;
let prodPassword: string;
let defaultScript: string;

before(async () => {
  if (skipVault) return;
  work = mkdtempSync(join(tmpdir(), 'sls-e2e-vault-'));
  fleet = await startFleet(
    [
      { name: 'web-01', config: OPERATOR_CONFIG },
      { name: 'web-02', config: OPERATOR_CONFIG },
    ],
    { subnet: 217 },
  );
  prodPassword = passwordFile(work, 'prod.pass', 'prod vault password');
  defaultScript = passwordScript(work, 'default-pass.sh', 'default-password');
  inv = join(work, 'inv');
  mkdirSync(join(inv, 'group_vars'), { recursive: true });
  mkdirSync(join(inv, 'host_vars'), { recursive: true });
  const [w1, w2] = fleet.hosts;
  writeFileSync(join(inv, 'hosts'), `[web]\nweb-01 ansible_host=${w1!.address}\nweb-02 ansible_host=${w2!.address}\n`);
  writeFileSync(
    join(inv, 'group_vars', 'all.yml'),
    `ansible_user: root\nansible_port: ${w1!.port}\nansible_ssh_private_key_file: ${fleet.keyPath}\nsls_region: Ireland\n` +
      (await vaultEncryptString('sls_api_key', KEY, `prod@${prodPassword}`)),
  );
  writeFileSync(join(inv, 'host_vars', 'web-02.yml'), `ansible_port: ${w2!.port}\nteam: vaulted-team\n`);
  await vaultEncryptFile(join(inv, 'host_vars', 'web-02.yml'), defaultScript);
});

after(async () => {
  await fleet?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('without a vault password: exit 5 naming the vaulted file and how to give the password; no host touched', {
  skip: skipVault,
}, async () => {
  const run = await runCli(['deploy', inv, '--known-hosts', fleet.knownHostsPath], { env });
  assert.equal(run.code, 5, run.stderr);
  assert.match(
    run.stderr,
    /host_vars\/web-02\.yml: vault-encrypted and no vault password was given; give the password with --vault-password-file/,
  );
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(fleet.host('web-01').restartCount(), 0);
});

test('inventory --list with two vault ids equals ansible-inventory --list (inline values printed encrypted, as there)', {
  skip: skipVault,
}, async () => {
  const args = ['--vault-id', `prod@${prodPassword}`, '--vault-password-file', defaultScript];
  const [ours, theirs] = await Promise.all([
    runCli(['inventory', inv, '--list', ...args]),
    ansibleCommand('ansible-inventory', ['-i', inv, '--list', ...args]),
  ]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.deepEqual(JSON.parse(ours.stdout), JSON.parse(theirs));
  assert.equal(JSON.parse(ours.stdout)._meta.hostvars['web-02'].team, 'vaulted-team');
});

test('deploy decrypts the vaulted key, writes it to the hosts, and masks it in --diff, -v and --json', {
  skip: skipVault,
}, async () => {
  const run = await runCli(
    [
      'deploy',
      inv,
      '--known-hosts',
      fleet.knownHostsPath,
      '--diff',
      '-v',
      '--json',
      '--vault-id',
      `prod@${prodPassword}`,
    ],
    {
      env: { ...env, ANSIBLE_VAULT_PASSWORD_FILE: defaultScript },
    },
  );
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  for (const name of ['web-01', 'web-02']) {
    const outputs = YAML.parse(fleet.host(name).readConfig()!).alert_output.outputs as Array<Record<string, unknown>>;
    assert.equal(outputs.find((o) => o.type === 'mcs')?.api_key, KEY, `${name} got the decrypted key`);
  }
  assert.ok(!run.stdout.includes(KEY) && !run.stderr.includes(KEY), 'the decrypted key is never printed');
  assert.match(run.stderr, /api_key: \*{8}/, 'the diff shows the key masked');
  assert.equal(JSON.parse(run.stdout).summary.changed, 2);
});
