// The declarative runner through the CLI: ad hoc modules (`run`), --list-tasks, --tags, the
// mcs output taken out again with sls_central=absent, and check mode leaving every host
// untouched whatever the variables say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { useFleet } from '../helpers/fleet.ts';
import { MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';
import { assertSecretAbsent, parseJsonReport, snapshotHost, step } from './deploy-helpers.ts';

const KEY = 'tok-Tasks-4Jd8Wq1Ks6Pz2Lx9';
const env = { SLS_API_KEY: KEY };

const fleet = useFleet(
  [
    { name: 'web-01', config: OPERATOR_CONFIG },
    { name: 'web-02', config: OPERATOR_CONFIG },
    { name: 'db-01', config: MCS_CONFIG },
    { name: 'old-01', version: '5.4.1.3', config: OPERATOR_CONFIG },
    { name: 'broken-01', restartBroken: true, config: OPERATOR_CONFIG },
  ],
  { subnet: 175 },
);

const run = (args: string[]) => runCli(args, { env });
const inv = () => fleetArgs(fleet);
/** `sls-play run` of one ad hoc module on `pattern`. */
/** `sls-play deploy` of the SLS playbook to the hosts `limit` names, in Ireland. */
const deployTo = (limit: string, ...args: string[]) =>
  run(['deploy', ...inv(), '-l', limit, '-e', 'sls_region=eu-west-1', ...args]);
const adhoc = (pattern: string, module: string, ...words: string[]) =>
  run(['run', ...inv(), pattern, module, ...words]);
const motd = () => join(fleet.host('web-01').root, 'etc', 'sophos', 'motd');

/** The ad hoc file task of the first test: a managed motd on web-01. */
const MOTD = ['web-01', 'file', 'path=/etc/sophos/motd', 'content=managed by sls-play', 'mode=0644'] as const;

test('run file: --check --diff shows the change and writes nothing; then it writes; then it is ok', async () => {
  const check = await adhoc(...MOTD, '--check', '--diff');
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /changed: \[web-01\] file \/etc\/sophos\/motd: would change \/etc\/sophos\/motd: created/);
  assert.match(check.stdout, /^\+managed by sls-play$/m);
  assert.equal(existsSync(motd()), false, 'check mode wrote the file');
  const apply = await adhoc(...MOTD, '--json');
  assert.equal(apply.code, 0, apply.stderr);
  assert.equal(parseJsonReport(apply.stdout).hosts['web-01']!.status, 'changed');
  assert.equal(readFileSync(motd(), 'utf8'), 'managed by sls-play');
  assert.equal(statSync(motd()).mode & 0o777, 0o644);
  const again = await adhoc(...MOTD, '--json');
  assert.equal(parseJsonReport(again.stdout).hosts['web-01']!.status, 'ok');
  const gone = await adhoc('web-01', 'file', 'path=/etc/sophos/motd', 'state=absent');
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(existsSync(motd()), false);
});

test('run service: restarted restarts once and verifies; started on an active unit changes nothing', async () => {
  const host = fleet.host('web-02');
  const restarts = host.restartCount();
  const restarted = await adhoc('web-02', 'service', 'unit=sophoslinuxsensor', 'state=restarted', '--json');
  assert.equal(restarted.code, 0, restarted.stderr);
  assert.match(
    step(parseJsonReport(restarted.stdout), 'web-02', 'service sophoslinuxsensor restarted').message,
    /sophoslinuxsensor restarted and active/,
  );
  assert.equal(host.restartCount(), restarts + 1);
  const started = await adhoc('web-02', 'service', 'unit=sophoslinuxsensor', 'state=started', '--json');
  assert.equal(parseJsonReport(started.stdout).hosts['web-02']!.status, 'ok');
  assert.equal(host.restartCount(), restarts + 1);
  const broken = await adhoc('broken-01', 'service', 'unit=sophoslinuxsensor', 'state=restarted', '--json');
  assert.equal(broken.code, 2);
  assert.match(
    parseJsonReport(broken.stdout).hosts['broken-01']!.steps[0]!.message,
    /sophoslinuxsensor did not come up after restart \(.*lockdown/,
  );
});

test('run command: runs on every matched host with its output; --check runs nothing; bad words exit 5', async () => {
  const out = await adhoc('web-*', 'command', 'cmd=hostname', '--json');
  assert.equal(out.code, 0, out.stderr);
  const doc = parseJsonReport(out.stdout) as unknown as {
    hosts: Record<string, { steps: { stdout: string; rc: number }[] }>;
  };
  assert.equal(doc.hosts['web-01']!.steps[0]!.stdout.trim(), 'web-01');
  assert.equal(doc.hosts['web-02']!.steps[0]!.rc, 0);
  const check = await adhoc('web-01', 'command', 'cmd=touch /etc/sophos/ran', '--check');
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /would run `touch \/etc\/sophos\/ran`/);
  assert.equal(existsSync(join(fleet.host('web-01').root, 'etc', 'sophos', 'ran')), false);
  const bad = await adhoc('web-01', 'service', 'unit=x', 'state=bounced');
  assert.equal(bad.code, 5);
  assert.match(bad.stderr, /state=bounced; choose one of started, stopped, restarted, reloaded/);
});

test('deploy --list-tasks lists the tasks and handlers and contacts no host; --tags checks runs only the checks', async () => {
  // listing needs no key, no region and no host
  const list = await runCli(['deploy', ...inv(), '--list-tasks'], { env: { SLS_API_KEY: undefined } });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ {6}sensor version\tTAGS: \[checks\]$/m);
  assert.match(list.stdout, /^ {6}config\tTAGS: \[config\]$/m);
  assert.match(list.stdout, /handlers:\n {6}restart sensor\n {6}test alert/);
  const wrongType = await runCli(['deploy', ...inv(), '-e', '{"sls_force_restart": {"a": 1}}', '--list-tasks'], {
    env: { SLS_API_KEY: undefined },
  });
  assert.equal(wrongType.code, 5, wrongType.stderr);
  assert.match(wrongType.stderr, /^sls-play: web-01: sls_force_restart is a mapping; set it to true or false\n$/);
  const before = snapshotHost(fleet.host('web-02'));
  const checks = await deployTo('web-02', '--tags', 'checks', '--json');
  assert.equal(checks.code, 0, checks.stderr);
  assert.deepEqual(
    parseJsonReport(checks.stdout).hosts['web-02']!.steps.map((s) => s.name),
    ['gather facts', 'sensor version', 'certificates'],
  );
  assert.deepEqual(snapshotHost(fleet.host('web-02')), before);
});

test('--check leaves every host untouched whatever the variables say (forced restart, other region, removal, --diff)', async () => {
  const before = new Map(fleet.hosts.map((h) => [h.name, snapshotHost(h)]));
  const variants = [
    ['-e', 'sls_force_restart=true'],
    ['-e', 'sls_force_restart=true', '--diff', '-e', 'sls_region=us-west-2'],
    ['-e', 'sls_central=absent', '--diff'],
    ['-e', 'sls_central=absent', '-e', 'sls_force_restart=true'],
    ['--diff', '-v'],
  ];
  const runs = await Promise.all(
    variants.map((v) => run(['deploy', ...inv(), '-e', 'sls_region=eu-west-1', '--check', ...v])),
  );
  for (const [i, r] of runs.entries()) {
    assert.ok([0, 2].includes(r.code), `variant ${variants[i]!.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assertSecretAbsent(KEY, r, variants[i]!.join(' '));
  }
  for (const h of fleet.hosts) assert.deepEqual(snapshotHost(h), before.get(h.name), `${h.name} changed in check mode`);
  assert.deepEqual(fleet.centralInbox(), []);
});

test('sls_central=absent takes the mcs output out again: the operator config back byte for byte, restarted and tested', async () => {
  const host = fleet.host('web-01');
  const deploy = await deployTo('web-01');
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.match(host.readConfig()!, /type: mcs/);
  const restarts = host.restartCount();
  const remove = await deployTo('web-01', '-e', 'sls_central=absent', '--diff', '--json');
  assert.equal(remove.code, 0, remove.stderr);
  const report = parseJsonReport(remove.stdout);
  assert.match(step(report, 'web-01', 'config').message, /^mcs output removed \(backup /);
  assert.match(step(report, 'web-01', 'config').diff ?? '', /^- +api_key: \*+$/m);
  assert.equal(step(report, 'web-01', 'test alert').status, 'ok');
  assert.equal(host.readConfig(), OPERATOR_CONFIG);
  assert.equal(host.restartCount(), restarts + 1);
  assertSecretAbsent(KEY, remove);
  // taking it out needs no region and no key
  const again = await runCli(['deploy', ...inv(), '-l', 'web-01', '-e', 'sls_central=absent', '--json'], {
    env: { SLS_API_KEY: undefined },
  });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(parseJsonReport(again.stdout).hosts['web-01']!.status, 'ok');
});

test('a directory where the config should be fails the host with what to do, nothing written', async () => {
  const before = snapshotHost(fleet.host('web-02'));
  const r = await deployTo('web-02', '-e', 'sls_config_path=/etc/sophos', '--json');
  assert.equal(r.code, 2, r.stderr);
  const config = step(parseJsonReport(r.stdout), 'web-02', 'config');
  assert.equal(config.status, 'failed');
  assert.equal(config.message, '/etc/sophos exists and is not a regular file: remove it or choose another path');
  assert.deepEqual(snapshotHost(fleet.host('web-02')), before);
});
