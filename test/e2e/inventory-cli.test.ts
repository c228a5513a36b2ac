// Ansible users' inventories as they are, through the real CLI: `inventory --list/--graph` agrees
// with ansible-inventory, and deploy/exec work from an INI file and from an inventory directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { REPO, runCli } from '../helpers/cli.ts';
import { ansibleCommand, python } from '../unit/inventory/ansible-reference.ts';

const API_KEY = 'e2e-inventory-tenant-key-77c0';
const env = { SLS_API_KEY: API_KEY };
const FRANKFURT = 'https://mcs2-cloudstation-eu-central-1.prod.hydra.sophos.com';
const IRELAND = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const skipAnsible = python === undefined ? 'ansible-inventory (ansible-core) is not installed' : false;

let fleet: Fleet;
let work: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sls-e2e-inventory-'));
  fleet = await startFleet(
    [
      { name: 'web-01', config: OPERATOR_CONFIG },
      { name: 'web-02', config: OPERATOR_CONFIG },
      { name: 'db-01', config: OPERATOR_CONFIG },
    ],
    { subnet: 152 },
  );
});

after(async () => {
  await fleet?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const fixture = (name: string) => join(REPO, 'test', 'fixtures', 'inventories', name);

async function bothLists(inventory: string): Promise<{ ours: unknown; theirs: unknown }> {
  const [ours, theirs] = await Promise.all([
    runCli(['inventory', inventory, '--list']),
    ansibleCommand('ansible-inventory', ['-i', inventory, '--list']),
  ]);
  assert.equal(ours.code, 0, ours.stderr);
  return { ours: JSON.parse(ours.stdout), theirs: JSON.parse(theirs) };
}

async function bothGraphs(inventory: string): Promise<{ ours: string; theirs: string }> {
  const [ours, theirs] = await Promise.all([
    runCli(['inventory', inventory, '--graph']),
    ansibleCommand('ansible-inventory', ['-i', inventory, '--graph']),
  ]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.ok(theirs.includes('@all:'), `ansible-inventory --graph printed nothing useful:\n${theirs}`);
  return { ours: ours.stdout, theirs };
}

test('inventory --list equals ansible-inventory --list on a directory of INI + YAML with group_vars/ and host_vars/', {
  skip: skipAnsible,
}, async () => {
  const { ours, theirs } = await bothLists(fixture('dir-multi'));
  assert.deepEqual(ours, theirs);
  // the fixture really exercises both sources and both vars dirs
  const hostvars = (ours as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
  assert.ok(
    Object.keys(hostvars).some((h) => h.startsWith('db')) && Object.keys(hostvars).some((h) => h.startsWith('web')),
  );
  assert.equal(hostvars['db2.example.com']?.ansible_port, 2200);
});

test('inventory --graph equals ansible-inventory --graph (directory and INI with ranges)', {
  skip: skipAnsible,
}, async () => {
  for (const name of ['dir-multi', 'ini-ranges']) {
    const { ours, theirs } = await bothGraphs(fixture(name));
    assert.equal(ours, theirs, name);
  }
});

test('templated variables: --list and --host print them unrendered, exactly as ansible-inventory does', {
  skip: skipAnsible,
}, async () => {
  const templated = fixture('templated');
  const { ours, theirs } = await bothLists(templated);
  assert.deepEqual(ours, theirs);
  const [host, theirHost] = await Promise.all([
    runCli(['inventory', templated, '--host', 'db-01']),
    ansibleCommand('ansible-inventory', ['-i', templated, '--host', 'db-01']),
  ]);
  assert.equal(host.code, 0, host.stderr);
  assert.equal(host.stdout.trim(), theirHost.trim());
  assert.match(host.stdout, /"ansible_host": "\{\{ inventory_hostname \}\}\.db\.internal"/);
});

test('inventory/prod, the README example, is read the same by ansible-inventory', { skip: skipAnsible }, async () => {
  const prod = join(REPO, 'inventory', 'prod');
  const { ours, theirs } = await bothLists(prod);
  assert.deepEqual(ours, theirs);
  const graphs = await bothGraphs(prod);
  assert.equal(graphs.ours, graphs.theirs);
  const hostvars = (ours as { _meta: { hostvars: Record<string, Record<string, unknown>> } })._meta.hostvars;
  assert.ok(hostvars['web-07'], 'the README mends web-07');
  for (const vars of Object.values(hostvars)) {
    assert.ok(vars.sls_region, 'every prod host gets sls_region from group_vars/all.yml');
    assert.equal(vars.sls_api_key, undefined, 'the key never lives in the inventory');
  }
});

/** The user's Ansible INI inventory for the fleet, as they would have written it. */
function writeIni(): string {
  const [web1, web2, db1] = ['web-01', 'web-02', 'db-01'].map((n) => fleet.host(n));
  const path = join(work, 'hosts.ini');
  writeFileSync(
    path,
    `# production sensors (Ansible INI inventory, used as is)
[web]
web-01 ansible_host=${web1!.address} ansible_port=${web1!.port}
web-02 ansible_host=${web2!.address} ansible_port=${web2!.port}  # a comment

[db]
db-01 ansible_host=${db1!.address} ansible_port=${db1!.port}

[sensors:children]
web
db

[sensors:vars]
ansible_user=root
ansible_ssh_private_key_file=${fleet.keyPath}
sls_region="eu-central-1"
`,
  );
  return path;
}

test("deploy and exec take the user's INI inventory as is: [group], [group:children], [group:vars], -l a group", async () => {
  const ini = writeIni();
  if (!skipAnsible) {
    const { ours, theirs } = await bothLists(ini);
    assert.deepEqual(ours, theirs);
  }
  const db = fleet.host('db-01');
  const dbBefore = { config: db.readConfig(), restarts: db.restartCount() };
  const run = await runCli(['deploy', ini, '--known-hosts', fleet.knownHostsPath, '-l', 'web'], { env });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  for (const name of ['web-01', 'web-02']) {
    const config = fleet.host(name).readConfig()!;
    assert.match(config, new RegExp(`url: "?${FRANKFURT.replace(/[.]/g, '\\.')}"?`), name);
    assert.equal(fleet.host(name).loadedConfig(), config, `${name} restarted on the new config`);
  }
  assert.deepEqual({ config: db.readConfig(), restarts: db.restartCount() }, dbBefore, 'db-01 is outside -l web');

  const exec = await runCli(['exec', ini, '--known-hosts', fleet.knownHostsPath, 'sensors:!web', '--', 'hostname']);
  assert.equal(exec.code, 0, exec.stderr);
  assert.match(exec.stdout, /db-01/);
  assert.doesNotMatch(exec.stdout, /web-0/);
});

test('a directory inventory with group_vars/all.yml holding sls_region deploys without -e; host_vars override it', async () => {
  const dir = join(work, 'prod');
  mkdirSync(join(dir, 'group_vars'), { recursive: true });
  mkdirSync(join(dir, 'host_vars'), { recursive: true });
  const lines = fleet.hosts.map(
    (h) => `        ${h.name}:\n          ansible_host: ${h.address}\n          ansible_port: ${h.port}`,
  );
  writeFileSync(join(dir, 'hosts.yml'), `all:\n  children:\n    sensors:\n      hosts:\n${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'group_vars', 'all.yml'),
    `ansible_user: root\nansible_ssh_private_key_file: ${fleet.keyPath}\nsls_region: Ireland\n`,
  );
  writeFileSync(join(dir, 'host_vars', 'db-01.yml'), 'sls_region: eu-central-1\n');

  const run = await runCli(['deploy', dir, '--known-hosts', fleet.knownHostsPath, '--json'], { env });
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as { hosts: Record<string, { status: string }> };
  assert.deepEqual(Object.fromEntries(Object.entries(doc.hosts).map(([h, r]) => [h, r.status])), {
    'web-01': 'changed',
    'web-02': 'changed',
    'db-01': 'changed',
  });
  for (const name of ['web-01', 'web-02']) {
    const config = fleet.host(name).readConfig()!;
    assert.ok(config.includes(IRELAND), `${name} moved to Ireland`);
    assert.ok(!config.includes(FRANKFURT), `${name}: the mcs entry was updated in place`);
    assert.equal(config.match(/type: mcs/g)?.length, 1);
  }
  assert.ok(fleet.host('db-01').readConfig()!.includes(FRANKFURT), 'host_vars/db-01.yml wins over group_vars/all.yml');
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(API_KEY));
});
