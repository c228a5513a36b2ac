// An Ansible user's project as it is: templated variables, --list-hosts, inventory --host
// (--connection), and the bundled playbook found when sls-play runs from the project directory.
// Compared with ansible, ansible-inventory; proved on real sshd hosts.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { CLI, runProgram, type CliRun } from '../helpers/cli.ts';
import { useFleet } from '../helpers/fleet.ts';
import { ansibleCommand, python } from '../unit/inventory/ansible-reference.ts';

const skipAnsible = python === undefined ? 'ansible-core is not installed' : false;
const KEY = 'templated-project-key-81d4';
const fleet = useFleet(
  [
    { name: 'web-01', config: OPERATOR_CONFIG },
    { name: 'web-02', config: OPERATOR_CONFIG },
  ],
  { subnet: 218 },
  () => setUpProject(),
);
let project: string;

/** What `inventory --host … --connection` says of a fleet host reached as root with the fleet's key. */
function rootWithFleetKey(
  host: { address: string; port: number },
  rest: { knownHostsFiles: string[]; connectTimeout: number | null },
) {
  const { knownHostsFiles, connectTimeout } = rest;
  return {
    address: host.address,
    port: host.port,
    user: 'root',
    identityFiles: [fleet.keyPath],
    proxyJump: [],
    knownHostsFiles,
    strictHostKeyChecking: 'strict',
    connectTimeout,
  };
}

/** The CLI run from the user's project directory (not the sls-play checkout). */
function sls(args: string[], env: Record<string, string | undefined> = {}, cwd = project): Promise<CliRun> {
  return runProgram(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', SLS_API_KEY: KEY, ...env },
  });
}

/** The user's project: an inventory and group_vars with templates, for the fleet just started. */
async function setUpProject(): Promise<void> {
  project = mkdtempSync(join(tmpdir(), 'sls-e2e-project-'));
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
      '# shared with Ansible playbooks: refers to a fact sls-play does not gather, and is not used here',
      'welcome: "Welcome to {{ ansible_hostname }}"',
      '',
    ].join('\n'),
  );
}

after(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

test('--list-hosts prints what ansible and ansible-playbook --list-hosts print, on every command, and touches no host', {
  skip: skipAnsible,
}, async () => {
  const theirs = await ansibleCommand('ansible', [
    '-i',
    join(project, 'hosts'),
    'all',
    '--limit',
    'web-02*',
    '--list-hosts',
  ]);
  assert.equal(theirs, '  hosts (1):\n    web-02.prod.example\n');
  const play = (name: string) =>
    `\nplaybook: ${name}\n\n  play #1 (all): PLAY\tTAGS: []\n    pattern: ['all']\n    hosts (1):\n      web-02.prod.example\n`;
  for (const command of ['deploy', 'status', 'test-alert']) {
    const run = await sls([command, 'hosts', '-l', 'web-02*', '--list-hosts']);
    assert.equal(run.code, 0, run.stderr);
    const file = command === 'deploy' ? 'playbooks/sls-central.ts' : command;
    assert.equal(run.stdout.replace(/(play #1 \(all\): ).*(\tTAGS)/, '$1PLAY$2'), play(file), command);
  }
  const exec = await sls(['exec', 'hosts', 'sensors', '--list-hosts', '--', 'true']);
  assert.equal(exec.stdout, '  hosts (2):\n    web-01.prod.example\n    web-02.prod.example\n');
  const withI = await sls(['exec', '-i', 'hosts', 'sensors', '--list-hosts', '--', 'true']);
  assert.equal(withI.stdout, exec.stdout);
  assert.equal(fleet.host('web-02').restartCount(), 0);
});

test('inventory --host prints what ansible-inventory --host prints (templates unrendered)', {
  skip: skipAnsible,
}, async () => {
  const [ours, theirs] = await Promise.all([
    sls(['inventory', 'hosts', '--host', 'web-01.prod.example']),
    ansibleCommand('ansible-inventory', ['-i', join(project, 'hosts'), '--host', 'web-01.prod.example']),
  ]);
  assert.equal(ours.code, 0, ours.stderr);
  assert.equal(ours.stdout.trim(), theirs.trim());
  const missing = await sls(['inventory', 'hosts', '--host', 'nope']);
  assert.equal(missing.code, 5);
  assert.match(missing.stderr, /no host named "nope"/);
});

test('inventory --host --connection gives the resolved connection, templates rendered', async () => {
  const run = await sls([
    'inventory',
    'hosts',
    '--host',
    'web-02.prod.example',
    '--connection',
    '--known-hosts',
    fleet.knownHostsPath,
  ]);
  assert.equal(run.code, 0, run.stderr);
  const w2 = fleet.host('web-02');
  assert.deepEqual(
    JSON.parse(run.stdout),
    rootWithFleetKey(w2, { knownHostsFiles: [fleet.knownHostsPath], connectTimeout: 10 }),
  );
});

test('a template that cannot render stops the run before any host: exit 5 naming variable and expression', async () => {
  const run = await sls([
    'deploy',
    'hosts',
    '--known-hosts',
    fleet.knownHostsPath,
    '-e',
    '{"sls_region": "{{ undefined_site }}"}',
  ]);
  assert.equal(run.code, 5, run.stderr);
  assert.match(
    run.stderr,
    /host web-01\.prod\.example: variable sls_region: cannot render "\{\{ undefined_site \}\}": 'undefined_site' is undefined/,
  );
  assert.equal(fleet.host('web-01').restartCount(), 0);
});

test('deploy from the project directory uses the bundled playbook; connection and playbook see rendered values; an unused unrenderable variable is no error', async () => {
  const run = await sls(['deploy', 'hosts', '--known-hosts', fleet.knownHostsPath]);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  for (const name of ['web-01', 'web-02']) {
    const mcs = (
      YAML.parse(fleet.host(name).readConfig()!).alert_output.outputs as Array<Record<string, unknown>>
    ).find((o) => o.type === 'mcs');
    assert.equal(mcs?.url, 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com', name);
  }
});

test('ansible.cfg in the project: inventory, remote_user, private_key_file, timeout, host_key_checking=False (warned); the command line wins', async () => {
  const cfgProject = join(project, 'with-cfg');
  mkdirSync(cfgProject);
  const [w1, w2] = fleet.hosts;
  writeFileSync(
    join(cfgProject, 'fleet.ini'),
    `web-01 ansible_host=${w1!.address} ansible_port=${w1!.port}\nweb-02 ansible_host=${w2!.address} ansible_port=${w2!.port}\n`,
  );
  writeFileSync(
    join(cfgProject, 'ansible.cfg'),
    `[defaults]\ninventory = fleet.ini\nremote_user = root\nprivate_key_file = ${fleet.keyPath}\nhost_key_checking = False\ntimeout = 7\nforks = 1\n\n[ssh_connection]\nssh_args = -C -o ControlMaster=auto -o ControlPersist=60s\n`,
  );
  writeFileSync(join(cfgProject, 'empty_known_hosts'), '');
  const inDir = (args: string[]) => sls(args, {}, cfgProject);
  const connection = await inDir(['inventory', '--host', 'web-02', '--connection']);
  assert.equal(connection.code, 0, connection.stderr);
  assert.deepEqual(
    { ...JSON.parse(connection.stdout), knownHostsFiles: undefined },
    {
      address: w2!.address,
      port: w2!.port,
      user: 'root',
      identityFiles: [fleet.keyPath],
      proxyJump: [],
      knownHostsFiles: undefined,
      strictHostKeyChecking: 'off',
      connectTimeout: 7,
    },
  );
  const status = await inDir(['status']);
  assert.equal(status.code, 0, `${status.stdout}\n${status.stderr}`);
  assert.match(status.stderr, /warning: host key checking is off \(host_key_checking=False from .*ansible\.cfg:5\)/);
  assert.doesNotMatch(
    status.stderr,
    /ignored ssh arguments/,
    "ansible.cfg's usual connection-sharing ssh_args are not warned about",
  );
  const strict = await inDir([
    'status',
    '--host-key-checking',
    'strict',
    '--known-hosts',
    'empty_known_hosts',
    '--retries',
    '0',
  ]);
  assert.equal(strict.code, 3, 'the command line wins: an unknown host key fails the hosts');
  assert.doesNotMatch(strict.stderr, /host key checking is off/);
});

test('a dynamic inventory script and the JSON ansible-inventory prints both drive a real run', {
  skip: skipAnsible,
}, async () => {
  const [w1, w2] = fleet.hosts;
  const list = {
    web: { hosts: ['web-01', 'web-02'], vars: { ansible_user: 'root', ansible_ssh_private_key_file: fleet.keyPath } },
    _meta: {
      hostvars: {
        'web-01': { ansible_host: w1!.address, ansible_port: w1!.port },
        'web-02': { ansible_host: w2!.address, ansible_port: w2!.port },
      },
    },
  };
  writeFileSync(join(project, 'cloud.sh'), `#!/bin/sh\n[ "$1" = --list ] && echo '${JSON.stringify(list)}'\n`, {
    mode: 0o755,
  });
  const hello = (inventory: string, pattern: string) =>
    sls(['exec', inventory, pattern, '--known-hosts', fleet.knownHostsPath, '--', 'echo', 'hello']);
  const viaScript = await hello('cloud.sh', 'web');
  assert.equal(viaScript.code, 0, viaScript.stderr);
  assert.equal(viaScript.stdout.match(/hello/g)?.length, 2);
  writeFileSync(
    join(project, 'fleet.json'),
    await ansibleCommand('ansible-inventory', ['-i', join(project, 'cloud.sh'), '--list']),
  );
  const viaJson = await hello('fleet.json', 'web-02');
  assert.equal(viaJson.code, 0, viaJson.stderr);
  assert.equal(viaJson.stdout.match(/hello/g)?.length, 1);
});

test('~/.ssh/config as ssh reads it: Include inside a Host block, several UserKnownHostsFile, ConnectTimeout 0', async () => {
  const sub = join(project, 'sshcfg');
  mkdirSync(sub);
  const w1 = fleet.host('web-01');
  writeFileSync(join(sub, 'hosts'), 'web-01\n');
  writeFileSync(join(sub, 'web-01.conf'), `HostName ${w1.address}\nPort ${w1.port}\n`);
  writeFileSync(join(sub, 'empty_known_hosts'), '');
  writeFileSync(
    join(sub, 'ssh_config'),
    `Host web-01\n  Include ${join(sub, 'web-01.conf')}\nHost web-?1\n  User root\n  IdentityFile ${fleet.keyPath}\n  UserKnownHostsFile ${join(sub, 'empty_known_hosts')} ${fleet.knownHostsPath}\n  ConnectTimeout 0\n`,
  );
  const connection = await sls(
    ['inventory', 'hosts', '--host', 'web-01', '--connection', '--ssh-config', 'ssh_config'],
    {},
    sub,
  );
  assert.equal(connection.code, 0, connection.stderr);
  assert.deepEqual(
    JSON.parse(connection.stdout),
    rootWithFleetKey(w1, {
      knownHostsFiles: [join(sub, 'empty_known_hosts'), fleet.knownHostsPath],
      connectTimeout: null,
    }),
  );
  // the host's key is only in the second file: it is found there, and the connection waits as long as it takes
  const exec = await sls(['exec', 'hosts', 'all', '--ssh-config', 'ssh_config', '--', 'echo', 'reached'], {}, sub);
  assert.equal(exec.code, 0, exec.stderr);
  assert.match(exec.stdout, /reached/);
});
