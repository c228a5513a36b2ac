// `sls-play exec` end to end: the real CLI against a simulated fleet over real sshd.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { newKeyPair, writePrivateKey } from '../fleet/keys.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, type CliRun, execWithKnownHosts } from '../helpers/cli.ts';

interface JsonStep {
  name: string;
  status: string;
  message?: string;
  rc?: number;
  stdout?: string;
  stderr?: string;
}
interface JsonHost {
  status: string;
  steps: JsonStep[];
}
interface JsonDoc {
  hosts: Record<string, JsonHost>;
  summary: Record<string, number>;
}

const VERSIONS: Record<string, string> = {
  'web-01': '5.10.0.3',
  'web-02': '5.5.2.22',
  'db-01': '5.11.0',
  'db-02': '5.9.1.7',
  'edge-01': '5.12.1.40',
  'rot-01': '5.10.1.2',
};
const UP = Object.keys(VERSIONS);
const ALL = [...UP, 'off-01'];

let fleet: Fleet;
let scratch: string;

before(async () => {
  fleet = await startFleet(
    [
      { name: 'web-01', version: VERSIONS['web-01'], config: OPERATOR_CONFIG, groups: ['web'] },
      { name: 'web-02', version: VERSIONS['web-02'], config: OPERATOR_CONFIG, groups: ['web'] },
      { name: 'db-01', version: VERSIONS['db-01'], groups: ['db'] },
      { name: 'db-02', version: VERSIONS['db-02'], groups: ['db'] },
      { name: 'edge-01', version: VERSIONS['edge-01'], groups: ['edge'] },
      { name: 'rot-01', version: VERSIONS['rot-01'] },
      { name: 'off-01', down: true },
    ],
    { subnet: 120 },
  );
  scratch = mkdtempSync(join(tmpdir(), 'sls-exec-test-'));
});

after(async () => {
  await fleet?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const exec = (pattern: string, command: string, extra: string[] = []): Promise<CliRun> =>
  runCli(['exec', ...fleetArgs(fleet), pattern, ...extra, '--', command]);

function json(run: CliRun): JsonDoc {
  try {
    return JSON.parse(run.stdout) as JsonDoc;
  } catch {
    assert.fail(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** Plain output as host → its step lines, each followed by the command output indented under it. */
function plainBlocks(stdout: string): Map<string, { status: string; line: string; output: string[] }> {
  const blocks = new Map<string, { status: string; line: string; output: string[] }>();
  let current: { status: string; line: string; output: string[] } | undefined;
  for (const line of stdout.split('\n')) {
    const head = /^(\w+): \[([^\]]+)\] (.*)$/.exec(line);
    if (head) {
      current = { status: head[1]!, line: head[3]!, output: [] };
      assert.ok(!blocks.has(head[2]!), `host ${head[2]} reported twice:\n${stdout}`);
      blocks.set(head[2]!, current);
    } else if (line.startsWith('    ') && current) {
      current.output.push(line.trim());
    } else {
      current = undefined;
    }
  }
  return blocks;
}

const hostsOf = (doc: JsonDoc) => Object.keys(doc.hosts).sort();
const sorted = (names: string[]) => [...names].sort();
const connectStep = (doc: JsonDoc, host: string): JsonStep => {
  const h = doc.hosts[host];
  assert.ok(h, `${host} missing from the JSON document`);
  assert.equal(h.status, 'unreachable', `${host}: ${JSON.stringify(h)}`);
  assert.equal(h.steps.length, 1, `${host}: an unreachable host has one step`);
  assert.equal(h.steps[0]!.status, 'unreachable');
  return h.steps[0]!;
};
const endpoint = (name: string) => `[${fleet.host(name).address}]:${fleet.host(name).port}`;

test('exec on every reachable host: plain output shows each host its own hostname and sensor version', async () => {
  const run = await exec('all:!off-01', 'hostname; sophoslinuxsensor -version');
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const blocks = plainBlocks(run.stdout);
  assert.deepEqual(sorted([...blocks.keys()]), sorted(UP), run.stdout);
  for (const name of UP) {
    const block = blocks.get(name)!;
    assert.match(block.line, /rc=0/, `${name}: ${block.line}`);
    assert.equal(block.output[0], name, `${name}'s output: ${block.output.join(' | ')}`);
    assert.match(
      block.output[1] ?? '',
      new RegExp(`^${VERSIONS[name]!.replaceAll('.', '\\.')} `),
      `${name}'s output: ${block.output.join(' | ')}`,
    );
  }
  assert.match(run.stdout, /6 hosts: .*0 failed, 0 unreachable/);
});

test('exec --json: one step per host with its own rc, stdout and stderr', async () => {
  const run = await exec('all:!off-01', 'sophoslinuxsensor -version; echo "err from $(hostname)" >&2', ['--json']);
  assert.equal(run.code, 0, run.stderr);
  const doc = json(run);
  assert.deepEqual(hostsOf(doc), sorted(UP));
  for (const name of UP) {
    const host = doc.hosts[name]!;
    assert.notEqual(host.status, 'failed');
    assert.equal(host.steps.length, 1, JSON.stringify(host));
    const [step] = host.steps;
    assert.equal(step!.rc, 0);
    assert.match(
      step!.stdout!,
      new RegExp(`^${VERSIONS[name]!.replaceAll('.', '\\.')} \\[`),
      `${name}: ${step!.stdout}`,
    );
    assert.equal(step!.stderr, `err from ${name}\n`);
  }
  assert.equal(doc.summary.failed, 0);
  assert.equal(doc.summary.unreachable, 0);
  assert.equal((doc.summary.ok ?? 0) + (doc.summary.changed ?? 0), UP.length);
});

test('a non-zero rc fails that host only, with its rc and output, and exits 2', async () => {
  const [run, plain] = await Promise.all([
    exec('all:!off-01', 'hostname; if [ "$(hostname)" = db-02 ]; then echo broken >&2; exit 7; fi', ['--json']),
    exec('db-02', 'exit 7'),
  ]);
  assert.equal(run.code, 2, run.stderr);
  const doc = json(run);
  const step = doc.hosts['db-02']!.steps[0]!;
  assert.equal(doc.hosts['db-02']!.status, 'failed');
  assert.equal(step.status, 'failed');
  assert.equal(step.rc, 7);
  assert.equal(step.stdout, 'db-02\n');
  assert.equal(step.stderr, 'broken\n');
  for (const name of UP.filter((n) => n !== 'db-02')) {
    assert.notEqual(doc.hosts[name]!.status, 'failed', name);
    assert.equal(doc.hosts[name]!.steps[0]!.rc, 0, name);
  }
  assert.equal(doc.summary.failed, 1);
  // the human output says so too
  assert.equal(plain.code, 2);
  assert.match(plain.stdout, /^fatal: \[db-02\] .*rc=7/m);
});

test('a down host is unreachable (refused) while the rest succeed: exit 3', async () => {
  const [run, plain] = await Promise.all([
    exec('all', 'hostname', ['--json', '--retries', '0']),
    exec('all', 'true', ['--retries', '0']),
  ]);
  assert.equal(run.code, 3, run.stderr);
  const doc = json(run);
  assert.deepEqual(hostsOf(doc), sorted(ALL));
  assert.match(connectStep(doc, 'off-01').message!, /refused/);
  for (const name of UP) assert.equal(doc.hosts[name]!.steps[0]!.stdout, `${name}\n`, name);
  assert.equal(doc.summary.unreachable, 1);
  assert.equal(doc.summary.failed, 0);
  assert.equal(plain.code, 3);
  assert.match(plain.stdout, /^unreachable: \[off-01\] .*refused/m);
});

test('unknown host key, wrong login key and down host each unreachable with why and what to do; the others succeed', async () => {
  // known_hosts without db-01's key
  const knownHosts = join(scratch, 'known_hosts.partial');
  const lines = readFileSync(fleet.knownHostsPath, 'utf8').split('\n').filter(Boolean);
  const kept = lines.filter((l) => !l.startsWith(`${endpoint('db-01')} `));
  assert.equal(kept.length, lines.length - 1, 'db-01 had exactly one known_hosts line');
  writeFileSync(knownHosts, `${kept.join('\n')}\n`);
  // an inventory whose edge-01 logs in with a key its sshd does not know
  const strangerKey = join(scratch, 'id_stranger');
  writePrivateKey(strangerKey, newKeyPair('not authorised anywhere'));
  const inventory = YAML.parse(readFileSync(fleet.inventoryPath, 'utf8'));
  inventory.all.children.sensors.hosts['edge-01'].ansible_ssh_private_key_file = strangerKey;
  const inventoryPath = join(scratch, 'hosts.yml');
  writeFileSync(inventoryPath, YAML.stringify(inventory));

  const loginsBefore = ['db-01', 'edge-01'].map((n) => fleet.host(n).acceptedLogins());
  const [run, plain] = await Promise.all([
    runCli(['exec', inventoryPath, 'all', '--known-hosts', knownHosts, '--retries', '0', '--json', '--', 'hostname']),
    runCli(['exec', inventoryPath, 'db-01,edge-01', '--known-hosts', knownHosts, '--', 'true']),
  ]);
  assert.equal(run.code, 3, run.stderr);
  const doc = json(run);
  assert.deepEqual(hostsOf(doc), sorted(ALL));

  const unknown = connectStep(doc, 'db-01').message!;
  assert.match(unknown, /host key/i);
  assert.ok(unknown.includes(`${endpoint('db-01')} is not in ${knownHosts}`), unknown);
  assert.match(unknown, /ssh-keyscan/, `says how to add it: ${unknown}`);
  assert.match(unknown, /--host-key-checking accept-new/, unknown);

  const auth = connectStep(doc, 'edge-01').message!;
  assert.match(auth, /authentication failed/i);
  assert.match(auth, /authorized_keys/, `says what to check: ${auth}`);

  assert.match(connectStep(doc, 'off-01').message!, /refused/);

  for (const name of ['web-01', 'web-02', 'db-02', 'rot-01']) {
    assert.notEqual(doc.hosts[name]!.status, 'unreachable', `${name}: ${JSON.stringify(doc.hosts[name])}`);
    assert.equal(doc.hosts[name]!.steps[0]!.stdout, `${name}\n`, name);
  }
  assert.equal(doc.summary.unreachable, 3);
  assert.equal(doc.summary.failed, 0);

  // the same in the plain output: each host's line says which problem
  assert.equal(plain.code, 3);
  assert.match(plain.stdout, /^unreachable: \[db-01\] .*is not in/m);
  assert.match(plain.stdout, /^unreachable: \[edge-01\] .*authentication failed/im);
  // neither an unverified host nor a wrong key ever got a login
  assert.deepEqual(
    ['db-01', 'edge-01'].map((n) => fleet.host(n).acceptedLogins()),
    loginsBefore,
  );
});

test('host patterns select a subset: web*, a group, a,b, all:!x, --limit', async () => {
  const cases: [string, string[], string[]][] = [
    ['web*', ['web-01', 'web-02'], []],
    ['db', ['db-01', 'db-02'], []],
    ['web-02,edge-01', ['edge-01', 'web-02'], []],
    ['all:!off-01:!web-01', UP.filter((n) => n !== 'web-01'), []],
    ['sensors', ['db-01', 'db-02', 'web-01'], ['--limit', 'db:web-01']],
  ];
  const runs = await Promise.all(cases.map(([pattern, , extra]) => exec(pattern, 'hostname', ['--json', ...extra])));
  for (const [i, [pattern, expected]] of cases.entries()) {
    const run = runs[i]!;
    assert.equal(run.code, 0, `${pattern}: ${run.stderr}`);
    const doc = json(run);
    assert.deepEqual(hostsOf(doc), sorted(expected), pattern);
    for (const name of expected) assert.equal(doc.hosts[name]!.steps[0]!.stdout, `${name}\n`, `${pattern}: ${name}`);
  }
});

test('--host-key-checking accept-new records new keys; a strict run then trusts them', async () => {
  const knownHosts = join(scratch, 'known_hosts.new');
  writeFileSync(knownHosts, '');
  const strictBefore = await execWithKnownHosts(
    { inventory: fleet.inventoryPath, pattern: 'web*', knownHosts },
    ['--json'],
    ['true'],
  );
  assert.equal(strictBefore.code, 3, 'strict (the default) refuses keys it does not know');
  assert.match(connectStep(json(strictBefore), 'web-01').message!, /is not in/);
  assert.equal(readFileSync(knownHosts, 'utf8'), '', 'strict mode records nothing');

  const accept = await execWithKnownHosts(
    { inventory: fleet.inventoryPath, pattern: 'web*', knownHosts, checking: 'accept-new' },
    [],
    ['hostname'],
  );
  assert.equal(accept.code, 0, accept.stdout + accept.stderr);
  const recorded = readFileSync(knownHosts, 'utf8');
  for (const name of ['web-01', 'web-02']) {
    const [type, key] = fleet.host(name).hostKey().split(' ');
    const line = recorded.split('\n').find((l) => l.includes(key!));
    assert.ok(line, `${name}'s key recorded:\n${recorded}`);
    assert.ok(line.includes(type!), line);
    // plain or hashed name, but it must be for this host's endpoint
    assert.ok(line.startsWith(`${endpoint(name)} `) || line.startsWith('|1|'), line);
  }
  assert.ok(!recorded.includes(fleet.host('db-01').hostKey().split(' ')[1]!), 'only the selected hosts are recorded');

  const strictAfter = await execWithKnownHosts(
    { inventory: fleet.inventoryPath, pattern: 'web*', knownHosts, checking: 'strict' },
    ['--json'],
    ['hostname'],
  );
  assert.equal(strictAfter.code, 0, strictAfter.stderr);
  const doc = json(strictAfter);
  assert.equal(doc.hosts['web-01']!.steps[0]!.stdout, 'web-01\n');
  assert.equal(doc.hosts['web-02']!.steps[0]!.stdout, 'web-02\n');
  assert.equal(readFileSync(knownHosts, 'utf8'), recorded, 'a strict run adds nothing');
});

test('exit 5 for bad options, 4 for an inventory that does not parse', async () => {
  const badOptions = [
    ['--forks', '0'],
    ['--forks', 'many'],
    ['--host-key-checking', 'maybe'],
  ];
  const broken = join(scratch, 'broken.yml');
  writeFileSync(broken, 'all:\n  children:\n    sensors:\n      hosts: [unclosed\n');
  const [noCommand, run, ...badRuns] = await Promise.all([
    runCli(['exec', ...fleetArgs(fleet), 'all', '--', ' ']),
    runCli(['exec', broken, 'all', '--known-hosts', fleet.knownHostsPath, '--', 'true']),
    ...badOptions.map((bad) => exec('all', 'true', bad)),
  ]);
  for (const [i, bad] of badOptions.entries()) {
    const run = badRuns[i]!;
    assert.equal(run.code, 5, `${bad.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.equal(run.stdout, '', 'no host was touched');
    assert.ok(run.stderr.trim().length > 0, 'says what is wrong');
  }
  assert.equal(noCommand.code, 5, noCommand.stderr);

  assert.equal(run.code, 4, run.stdout + run.stderr);
  assert.match(run.stderr, /broken\.yml/, 'names the file');
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /, 'no stack trace');
});

test('one SSH connection per host: exec and a multi-command deploy each log in once per host', async () => {
  const hosts = ['web-01', 'web-02'].map((n) => fleet.host(n));
  const before = hosts.map((h) => h.acceptedLogins());
  const run = await exec('web*', 'hostname', ['--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(
    hosts.map((h) => h.acceptedLogins()),
    before.map((n) => n + 1),
    'exec: one login per host',
  );

  const inboxBefore = fleet.centralInbox().length;
  const restartsBefore = hosts.map((h) => h.restartCount());
  const deploy = await runCli(['deploy', ...fleetArgs(fleet), '--limit', 'web*', '-e', 'sls_region=eu-west-1', '-v'], {
    env: { SLS_API_KEY: 'exec-test-token-0123456789' },
  });
  assert.equal(deploy.code, 0, deploy.stdout + deploy.stderr);
  // the deploy really did several things on each host over that one connection
  assert.deepEqual(
    hosts.map((h) => h.restartCount()),
    restartsBefore.map((n) => n + 1),
  );
  assert.equal(fleet.centralInbox().length, inboxBefore + 2);
  for (const h of hosts) assert.match(h.readConfig()!, /type: mcs/);
  assert.deepEqual(
    hosts.map((h) => h.acceptedLogins()),
    before.map((n) => n + 2),
    'deploy: one login per host',
  );
});

test('a changed host key is unreachable "changed", also under accept-new; the others succeed', async () => {
  await fleet.host('rot-01').rotateHostKey();
  const run = await exec('all:!off-01', 'hostname', ['--json']);
  assert.equal(run.code, 3, run.stderr);
  const doc = json(run);
  const message = connectStep(doc, 'rot-01').message!;
  assert.match(message, /host key for .* changed/i);
  assert.ok(message.includes(fleet.knownHostsPath), `names the known_hosts file: ${message}`);
  assert.match(message, /ssh-keygen -R/, `says what to do: ${message}`);
  for (const name of UP.filter((n) => n !== 'rot-01'))
    assert.equal(doc.hosts[name]!.steps[0]!.stdout, `${name}\n`, name);

  const knownBefore = readFileSync(fleet.knownHostsPath, 'utf8');
  const acceptNew = await exec('rot-01', 'hostname', ['--json', '--host-key-checking', 'accept-new']);
  assert.equal(acceptNew.code, 3);
  assert.match(connectStep(json(acceptNew), 'rot-01').message!, /changed/i);
  assert.equal(readFileSync(fleet.knownHostsPath, 'utf8'), knownBefore, 'a changed key is never recorded');
});
