// An Ansible user's project as it is: templated variables, --list-hosts, inventory --host
// (--connection), and the bundled playbook found when sls-play runs from the project directory.
// Compared with ansible, ansible-inventory; proved on real sshd hosts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { CLI, type CliRun } from '../helpers/cli.ts';
import { ansibleCommand, python } from '../unit/inventory/ansible-reference.ts';

const skipAnsible = python === undefined ? 'ansible-core is not installed' : false;
const KEY = 'templated-project-key-81d4';
let fleet: Fleet;
let project: string;

/** The CLI run from the user's project directory (not the sls-play checkout). */
function sls(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: project, env: { ...process.env, CI: 'true', SLS_API_KEY: KEY, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

before(async () => {
  project = mkdtempSync(join(tmpdir(), 'sls-e2e-project-'));
  fleet = await startFleet([{ name: 'web-01', config: OPERATOR_CONFIG }, { name: 'web-02', config: OPERATOR_CONFIG }], { subnet: 218 });
  const [w1, w2] = fleet.hosts;
  mkdirSync(join(project, 'group_vars'));
  writeFileSync(join(project, 'hosts'), '[web]\nweb-01.prod.example\nweb-02.prod.example\n\n[sensors:children]\nweb\n');
  writeFileSync(
    join(project, 'group_vars', 'all.yml'),
    [
      'addresses:',
      `  web-01: "${w1!.address}"`,
      `  web-02: "${w2!.address}"`,
      'ansible_host: "{{ addresses[inventory_hostname_short] }}"',
      `ansible_port: "{{ ${w1!.port} }}"`,
      'ansible_user: "{{ admin_user | default(\'ROOT\') | lower }}"',
      `ansible_ssh_private_key_file: "${fleet.keyPath}"`,
      'site: Ireland',
      'sls_region: "{{ site }}"',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await fleet?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

test('--list-hosts prints what ansible --list-hosts prints, on every command, and touches no host', { skip: skipAnsible }, async () => {
  const theirs = await ansibleCommand('ansible', ['-i', join(project, 'hosts'), 'all', '--limit', 'web-02*', '--list-hosts']);
  assert.equal(theirs, '  hosts (1):\n    web-02.prod.example\n');
  for (const command of [['deploy'], ['status'], ['test-alert']]) {
    const run = await sls([...command, 'hosts', '-l', 'web-02*', '--list-hosts']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, theirs, command[0]);
  }
  const exec = await sls(['exec', 'hosts', 'sensors', '--list-hosts', '--', 'true']);
  assert.equal(exec.stdout, '  hosts (2):\n    web-01.prod.example\n    web-02.prod.example\n');
  assert.equal(fleet.host('web-02').restartCount(), 0);
});

test('inventory --host prints what ansible-inventory --host prints (templates unrendered)', { skip: skipAnsible }, async () => {
  const [ours, theirs] = await Promise.all([sls(['inventory', 'hosts', '--host', 'web-01.prod.example']), ansibleCommand('ansible-inventory', ['-i', join(project, 'hosts'), '--host', 'web-01.prod.example'])]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stdout.trim(), theirs.trim());
  const missing = await sls(['inventory', 'hosts', '--host', 'nope']);
  assert.equal(missing.code, 5);
  assert.match(missing.stderr, /no host named "nope"/);
});

test('inventory --host --connection gives the resolved connection, templates rendered', async () => {
  const run = await sls(['inventory', 'hosts', '--host', 'web-02.prod.example', '--connection', '--known-hosts', fleet.knownHostsPath]);
  assert.equal(run.code, 0, run.stderr);
  const w2 = fleet.host('web-02');
  assert.deepEqual(JSON.parse(run.stdout), {
    address: w2.address,
    port: w2.port,
    user: 'root',
    identityFiles: [fleet.keyPath],
    proxyJump: [],
    knownHostsFiles: [fleet.knownHostsPath],
    strictHostKeyChecking: 'strict',
    connectTimeout: 10,
  });
});

test('a template that cannot render stops the run before any host: exit 5 naming variable and expression', async () => {
  const run = await sls(['deploy', 'hosts', '--known-hosts', fleet.knownHostsPath, '-e', '{"sls_region": "{{ undefined_site }}"}']);
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.stderr, /host web-01\.prod\.example: variable sls_region: cannot render "\{\{ undefined_site \}\}": 'undefined_site' is undefined/);
  assert.equal(fleet.host('web-01').restartCount(), 0);
});

test('deploy from the project directory uses the bundled playbook; connection and playbook see rendered values', async () => {
  const run = await sls(['deploy', 'hosts', '--known-hosts', fleet.knownHostsPath]);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  for (const name of ['web-01', 'web-02']) {
    const mcs = (YAML.parse(fleet.host(name).readConfig()!).alert_output.outputs as Array<Record<string, unknown>>).find((o) => o.type === 'mcs');
    assert.equal(mcs?.url, 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com', name);
  }
});
