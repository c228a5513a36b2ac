// Check mode is sacred and a rollback undoes only this run's own write: `--check` with a forced
// restart changes nothing on any host, and a forced restart of a sensor that will not start
// leaves an untouched config byte for byte (it used to delete it). Paths that hold shell syntax
// are written where named and never run as root on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useFleet } from '../helpers/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';
import { editSensorConfig } from '../../src/sls/config-edit.ts';
import { resolveMcsUrl } from '../../src/sls/regions.ts';
import { assertNoStrayFiles, assertSecretAbsent, parseJsonReport, snapshotHost, step } from './deploy-helpers.ts';

const KEY = 'tok-Safety-8Hq2Lm5Zx7Vb3Nc6';
const env = { SLS_API_KEY: KEY };

/** The operator's config as a deploy to eu-west-1 leaves it: nothing left to change. */
function convergedConfig(): string {
  const edit = editSensorConfig(OPERATOR_CONFIG, {
    url: resolveMcsUrl({ region: 'eu-west-1' }),
    apiKey: KEY,
    deployment: 'package',
    certDir: '/etc/sophos',
    containerPairs: [],
  });
  assert.ok(edit.ok && edit.changed);
  return edit.text;
}

// A file name with every kind of shell syntax (no slash: it is one name in the host's own
// /etc/sophos); whatever ran would leave a canary in root's home on the host.
const HOSTILE_NAME = `rd $(cd; touch PWNED1) \`cd; touch PWNED2\` 'q' "dq" *; cd; touch PWNED3 #\nnl.yaml`;
const CANARIES = ['PWNED1', 'PWNED2', 'PWNED3'];

function assertNothingRan(root: string): void {
  for (const dir of [join(root, 'home'), join(root, 'etc', 'sophos')]) {
    for (const canary of CANARIES)
      assert.equal(existsSync(join(dir, canary)), false, `${canary} in ${dir}: the path ran as shell`);
  }
}

const fleet = useFleet(
  [
    { name: 'ok-01', config: convergedConfig() },
    { name: 'broken-01', restartBroken: true, config: convergedConfig() },
    { name: 'broken-02', restartBroken: true, config: OPERATOR_CONFIG },
    { name: 'odd-01', config: OPERATOR_CONFIG, vars: { sls_config_path: `/etc/sophos/${HOSTILE_NAME}` } },
    { name: 'odd-02', restartBroken: true, vars: { sls_config_path: `/etc/sophos/${HOSTILE_NAME}` } },
  ],
  { subnet: 171 },
);

const deploy = (...args: string[]) =>
  runCli(['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', ...args], { env });

test('--check -e sls_force_restart=true changes nothing on any host and names the handlers it would run', async () => {
  const before = new Map(fleet.hosts.map((h) => [h.name, snapshotHost(h)]));
  const run = await deploy('--check', '--diff', '-e', 'sls_force_restart=true', '--json');
  for (const h of fleet.hosts) assert.deepEqual(snapshotHost(h), before.get(h.name), `${h.name} changed in check mode`);
  assert.deepEqual(fleet.centralInbox(), [], 'check mode sent a test alert');
  const report = parseJsonReport(run.stdout);
  assert.equal(run.code, 0, run.stderr);
  for (const name of ['ok-01', 'broken-01']) {
    const restart = step(report, name, 'restart sensor');
    assert.equal(restart.status, 'skipped');
    assert.match(restart.message, /would run/);
  }
  assertSecretAbsent(KEY, run);
});

test('a forced restart of a sensor that will not start keeps the config it did not write, and says so', async () => {
  const host = fleet.host('broken-01');
  const config = host.readConfig();
  const run = await deploy('-l', 'broken-01', '-e', 'sls_force_restart=true', '--json');
  assert.equal(run.code, 2, run.stderr);
  const restart = step(parseJsonReport(run.stdout), 'broken-01', 'restart sensor');
  assert.equal(restart.status, 'failed');
  assert.match(
    restart.message,
    /"config" wrote nothing in this run, so nothing was restored and the file is as it was/,
  );
  assert.doesNotMatch(restart.message, /removed/);
  assert.equal(host.readConfig(), config, 'the untouched config was changed');
  assert.deepEqual(
    host.listSophosDir().filter((n) => n.endsWith('.bak')),
    [],
  );
  assertNoStrayFiles(host);
});

/** Deploys to `name`, whose sensor will not restart: exit 2, and the restart step says `rollback`. */
async function restartFailsOn(name: string, rollback: RegExp) {
  const run = await deploy('-l', name, '--json');
  assert.equal(run.code, 2, run.stderr);
  assert.match(step(parseJsonReport(run.stdout), name, 'restart sensor').message, rollback);
  return fleet.host(name);
}

test('a written config whose sensor will not start is rolled back to the previous bytes', async () => {
  const host = await restartFailsOn('broken-02', /the previous config was restored/);
  assert.equal(host.readConfig(), OPERATOR_CONFIG);
  assertNoStrayFiles(host);
});

test('sls_config_path with spaces, quotes, $(…), backticks, ;, * and a newline: written where named, nothing runs', async () => {
  const first = await deploy('-l', 'odd-01', '--json');
  assert.equal(first.code, 0, first.stderr + first.stdout);
  const host = fleet.host('odd-01');
  const sophos = join(host.root, 'etc', 'sophos');
  const written = readFileSync(join(sophos, HOSTILE_NAME), 'utf8');
  assert.match(written, /type: mcs/);
  assertNothingRan(host.root);
  assert.equal(host.readConfig(), OPERATOR_CONFIG, 'the default config path was touched');
  // the facts read the file back through the same path: nothing left to do
  const second = await deploy('-l', 'odd-01', '--json');
  assert.equal(second.code, 0, second.stderr);
  assert.equal(parseJsonReport(second.stdout).hosts['odd-01']!.status, 'ok');
  // replacing it takes a backup beside it, through the same hostile name
  const third = await runCli(['deploy', ...fleetArgs(fleet), '-l', 'odd-01', '-e', 'sls_region=us-west-2', '--json'], {
    env,
  });
  assert.equal(third.code, 0, third.stderr + third.stdout);
  assert.match(readFileSync(join(sophos, HOSTILE_NAME), 'utf8'), /us-west-2/);
  const backups = host.listSophosDir().filter((n) => n.startsWith(`${HOSTILE_NAME}.`) && n.endsWith('.bak'));
  assert.equal(backups.length, 1, `backups: ${JSON.stringify(host.listSophosDir())}`);
  assert.equal(readFileSync(join(sophos, backups[0]!), 'utf8'), written);
  assertNothingRan(host.root);
  assertNoStrayFiles(host);
});

test('the rollback of a new file at a hostile path removes exactly that file and runs nothing', async () => {
  const host = await restartFailsOn('odd-02', /the new config was removed \(there was none before\)/);
  const sophos = join(host.root, 'etc', 'sophos');
  assert.equal(existsSync(join(sophos, HOSTILE_NAME)), false);
  assertNothingRan(host.root);
  assertNoStrayFiles(host);
});
