// Every generic module (file, lineInFile, yamlEdit, command, service, assert, waitFor, package)
// end to end through the real CLI on the simulated fleet: --check changes nothing on the host
// (every file, the journal, the services, the packages), --check --diff shows what would change,
// the first run applies, the second reports ok and changes nothing; failures name the
// path / unit / package and what to do; a secret file content is in no output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startFleet, type Fleet, type HostProfile } from '../fleet/fleet.ts';
import { fleetArgs, runCli, type CliRun, execOn } from '../helpers/cli.ts';
import { spawnCli, waitUntil } from '../helpers/rollout.ts';
import { assertSecretAbsent, parseJsonReport, step, type JsonReport } from './deploy-helpers.ts';
import { aptHistory, demoState, modeOf, packagesOf, putFile, readFile, snapshot } from './module-helpers.ts';

const playbookPath = (name: string) => fileURLToPath(new URL(`../fixtures/playbooks/${name}.ts`, import.meta.url));
const SECRET = 'tok-Modules-4Rq8Zx2Lm7Vb9Nc3';
const LINE_SECRET = 'pw-Line-8Kd3Qz6Rt1Wy5';
const noSecrets = (r: CliRun, label: string) => {
  assertSecretAbsent(SECRET, r, label);
  assertSecretAbsent(LINE_SECRET, r, label);
};
const DEMO_CONF = 'port = 80\ndebug = true\nname = demo\n';
const APP_YAML = '# app config: comments stay\nname: demo # keep this\nlist:\n  - a\n  - b\n';
const PACKAGES = {
  installed: { 'old-tool': '1.0', 'gone-tool': '3.1', 'min-tool': '1.5' },
  available: { 'demo-tool': '1.2.0', 'extra-tool': '0.3', 'old-tool': '1.1', 'min-tool': '2.1' },
};
const FAIL_CASES = ['file', 'line', 'yaml', 'command', 'service', 'assert', 'wait', 'package', 'restore'];

let fleet: Fleet;

const run = (playbook: string, ...args: string[]) =>
  runCli(['deploy', ...fleetArgs(fleet), '-p', playbookPath(playbook), ...args]);
const json = (r: { stdout: string }) => parseJsonReport(r.stdout);
const stepsOf = (report: JsonReport, host: string) => report.hosts[host]!.steps;
/** Commands a -v run sent to a host (each logged as `  [host] $ …`). */
const commandsSent = (stderr: string, host: string) => stderr.split('\n').filter((l) => l.startsWith(`  [${host}] $ `));

before(async () => {
  const profiles: HostProfile[] = [
    { name: 'm-01', demo: 'inactive', packages: PACKAGES },
    { name: 'm-02', demo: 'inactive', packages: PACKAGES },
    ...FAIL_CASES.map(
      (c): HostProfile => ({ name: `f-${c}`, demo: c === 'restore' ? 'active' : 'inactive', vars: { case: c } }),
    ),
  ];
  fleet = await startFleet(profiles, { subnet: 180 });
  for (const name of ['m-01', 'm-02']) {
    putFile(fleet.host(name), 'demo.conf', DEMO_CONF);
    putFile(fleet.host(name), 'app.yaml', APP_YAML, 0o640);
  }
  putFile(fleet.host('f-yaml'), 'broken.yaml', 'a: [1, 2\nb: }\n');
  putFile(fleet.host('f-service'), 'demo.conf', 'fail = yes\n');
  putFile(fleet.host('f-restore'), 'demo.conf', 'port = 80\n');
});

after(async () => {
  await fleet?.stop();
});

test('--check --diff changes nothing on the host and shows what every module would do', async () => {
  const hosts = ['m-01', 'm-02'];
  const before = hosts.map((h) => snapshot(fleet.host(h)));
  const r = await run('modules', '-l', 'm-*', '--check', '--diff', '--json', '-v');
  assert.deepEqual(
    hosts.map((h) => snapshot(fleet.host(h))),
    before,
    'check mode changed a host',
  );
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const report = json(r);
  const s = (name: string) => step(report, 'm-01', name);
  for (const name of [
    'motd',
    'token file',
    'data dir',
    'demo port',
    'demo log level',
    'demo password',
    'no debug',
    'app yaml',
    'seed',
    'demo running',
    'package demo-tool, extra-tool',
    'package old-tool latest',
    'package gone-tool absent',
    'package min-tool',
  ]) {
    assert.equal(s(name).status, 'changed', `${name}: ${JSON.stringify(s(name))}`);
    assert.match(s(name).message, /^would /, name);
  }
  assert.match(s('motd').diff ?? '', /\+Managed by sls-play\. Team: ops/);
  assert.match(s('demo port').diff ?? '', /-port = 80\n\+port = 8080/);
  assert.match(s('no debug').diff ?? '', /-debug = true/);
  assert.match(s('demo password').diff ?? '', /\+\*{8}/, 'a secret line shows masked in the diff');
  assert.match(s('app yaml').diff ?? '', /\+demo:\n\+ {2}enabled: true/);
  assert.match(s('demo running').message, /would enable and start demo/);
  assert.equal(s('package demo-tool, extra-tool').message, 'would install demo-tool 1.2.0, install extra-tool 0.3');
  assert.match(s('package old-tool latest').message, /would upgrade old-tool 1\.0 → 1\.1/);
  assert.match(s('package gone-tool absent').message, /would remove gone-tool 3\.1/);
  assert.match(s('package min-tool').message, /would upgrade min-tool 1\.5 → 2\.1/);
  // assert runs in check mode too (read-only); the command does not
  assert.equal(s('demo conf has a port').status, 'ok');
  assert.equal(s('restart demo').status, 'skipped');
  assert.match(s('restart demo').message, /would run/);
  noSecrets(r, 'check --diff -v');
  // one round trip reads every task's facts; the assert's read-only command is the only other
  const sent = commandsSent(r.stderr, 'm-01');
  assert.equal(sent.length, 2, sent.join('\n'));
  assert.match(sent[1]!, /grep -q "\^port = "/);
});

test('first run applies every module; the handler restarts demo once; packages through noninteractive apt-get', async () => {
  const host = fleet.host('m-01');
  const r = await run('modules', '-l', 'm-01', '--diff', '--json', '-v');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const report = json(r);
  assert.equal(report.hosts['m-01']!.status, 'changed');
  const failed = stepsOf(report, 'm-01').filter((x) => x.status === 'failed');
  assert.deepEqual(failed, []);
  assert.equal(readFile(host, 'motd'), 'Managed by sls-play. Team: ops\n');
  assert.equal(modeOf(host, 'motd'), 0o644);
  assert.equal(readFile(host, 'token'), `${SECRET}`);
  assert.equal(modeOf(host, 'token'), 0o600);
  assert.equal(modeOf(host, 'data'), 0o750);
  assert.equal(readFile(host, 'demo.conf'), `port = 8080\nlog = info\nname = demo\npassword = ${LINE_SECRET}\n`);
  assert.equal(readFile(host, 'app.yaml'), `${APP_YAML}demo:\n  enabled: true\n`);
  assert.equal(modeOf(host, 'app.yaml'), 0o640, 'yamlEdit kept the mode');
  assert.equal(readFile(host, 'seeded'), 'seeded\n');
  const demo = demoState(host);
  assert.equal(demo.state, 'active');
  assert.equal(demo.enabled, true);
  assert.equal(demo.restarts, 1, 'the handler ran once for three notifying tasks');
  assert.equal(demo.loadedConfig, readFile(host, 'demo.conf'));
  assert.equal(step(report, 'm-01', 'restart demo').status, 'changed');
  assert.deepEqual(packagesOf(host).installed, {
    'old-tool': '1.1',
    'min-tool': '2.1',
    'demo-tool': '1.2.0',
    'extra-tool': '0.3',
  });
  const apt = aptHistory(host);
  assert.equal(apt.length, 4);
  assert.ok(
    apt.every((a) => a.frontend === 'noninteractive' && a.args.includes('-y')),
    JSON.stringify(apt),
  );
  assert.equal(
    step(report, 'm-01', 'package demo-tool, extra-tool').message,
    'installed demo-tool 1.2.0, installed extra-tool 0.3',
  );
  assert.ok(
    apt.some((a) => a.args.includes('demo-tool') && a.args.includes('extra-tool')),
    'one apt-get for the two packages',
  );
  // lineInFile writes no backup unless asked
  assert.ok(
    !fleet
      .host('m-01')
      .listSophosDir()
      .some((n) => n.endsWith('.bak')),
    String(host.listSophosDir()),
  );
  noSecrets(r, 'apply -v');
});

test('second run: every task ok, nothing on the host changes (files, journal, services, packages)', async () => {
  const host = fleet.host('m-01');
  const before = snapshot(host);
  const r = await run('modules', '-l', 'm-01', '--json', '-v');
  assert.equal(r.code, 0, r.stderr);
  const report = json(r);
  assert.equal(
    report.hosts['m-01']!.status,
    'ok',
    JSON.stringify(stepsOf(report, 'm-01').filter((x) => x.status !== 'ok')),
  );
  assert.equal(report.summary.changed, 0);
  assert.match(step(report, 'm-01', 'seed').message, /skipped: \/etc\/sophos\/seeded exists/);
  assert.deepEqual(snapshot(host), before);
  assert.equal(commandsSent(r.stderr, 'm-01').length, 2, 'facts in one round trip, then the assert');
  noSecrets(r, 'second run -v');
});

test('a changed variable: --check --diff shows the one line, the run changes it and restarts demo', async () => {
  const host = fleet.host('m-01');
  const before = snapshot(host);
  const check = await run('modules', '-l', 'm-01', '-e', 'demo_port=9090', '--check', '--diff', '--json');
  assert.equal(check.code, 0, check.stderr);
  assert.deepEqual(snapshot(host), before);
  const report = json(check);
  assert.equal(report.summary.changed, 1);
  assert.match(step(report, 'm-01', 'demo port').diff ?? '', /-port = 8080\n\+port = 9090/);
  const apply = await run('modules', '-l', 'm-01', '-e', 'demo_port=9090', '--json');
  assert.equal(apply.code, 0, apply.stderr);
  assert.equal(readFile(host, 'demo.conf'), `port = 9090\nlog = info\nname = demo\npassword = ${LINE_SECRET}\n`);
  assert.equal(demoState(host).restarts, 2);
});

test('plain output of --check --diff: diffs and "would" lines, no secret', async () => {
  const r = await run('modules', '-l', 'm-02', '--check', '--diff');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\+port = 8080/);
  assert.match(r.stdout, /would install demo-tool 1\.2\.0/);
  noSecrets(r, 'plain check --diff');
});

test('waitFor: sees a path, the host sshd port and a journal line; in --check too; the default window is this run', async () => {
  const host = fleet.host('m-01');
  const before = snapshot(host);
  // "demo ready" was logged by earlier runs: not proof of anything this run did (the window has
  // a second or two of slack for the host's clock granularity)
  await new Promise((r) => setTimeout(r, 2500));
  const stale = await run('wait', '-l', 'm-01', '-e', 'wait_path=/etc/sophos/seeded', '-e', 'wait_timeout=1', '--json');
  assert.equal(stale.code, 2, stale.stderr);
  assert.equal(step(json(stale), 'm-01', 'wait path').status, 'ok');
  assert.match(
    step(json(stale), 'm-01', 'wait port').message,
    new RegExp(`seen: port ${host.port} listening on ${host.address.replace(/\./g, '\\.')}`),
  );
  const journal = step(json(stale), 'm-01', 'wait journal');
  assert.equal(journal.status, 'failed');
  assert.match(journal.message, /not seen within 1 s: "demo ready" in the journal of demo\.service/);
  // with a window that covers them, in check mode: all ok, nothing changed
  const seen = await run(
    'wait',
    '-l',
    'm-01',
    '-e',
    'wait_path=/etc/sophos/seeded',
    '-e',
    'wait_since=-1h',
    '--check',
    '--json',
  );
  assert.equal(seen.code, 0, seen.stderr + seen.stdout);
  assert.match(
    step(json(seen), 'm-01', 'wait journal').message,
    /seen: "demo ready" in the journal of demo\.service \("level=info msg=\\?"demo ready\\?""\)/,
  );
  assert.deepEqual(snapshot(host), before);
});

test('waitFor waits: a path that appears while it polls is seen', async () => {
  const host = fleet.host('m-01');
  const args = ['-l', 'm-01', '-e', 'wait_since=-1h', '-e', 'wait_timeout=10', '--json', '-v'];
  const cli = spawnCli(['deploy', ...fleetArgs(fleet), '-p', playbookPath('wait'), ...args]);
  // the path appears once the wait is under way: the CLI has sent it (-v logs each command as it
  // sends it; a wait script's first line holds its deadline, 10 s)
  const waiting = () => commandsSent(cli.stderr(), 'm-01').some((c) => c.endsWith('end=$(( $(date +%s) + 10 ))'));
  await waitUntil('the CLI to send the wait', waiting);
  putFile(host, 'ready', 'yes\n');
  const appeared = Date.now();
  const end = await cli.exited;
  const r = { code: end.code, stdout: cli.stdout(), stderr: cli.stderr() };
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(step(json(r), 'm-01', 'wait path').message, /seen: \/etc\/sophos\/ready exists/);
  // well before its 10 s deadline
  assert.ok(end.at - appeared < 9000, `it returned ${end.at - appeared} ms after the path appeared`);
});

test('waitFor as a handler proves the restart of this run; --check names it and changes nothing', async () => {
  const host = fleet.host('m-02');
  const before = snapshot(host);
  const check = await run('proof', '-l', 'm-02', '--check', '--json');
  assert.equal(check.code, 0, check.stderr);
  assert.deepEqual(snapshot(host), before);
  assert.match(step(json(check), 'm-02', 'demo proven').message, /would run/);
  const r = await run('proof', '-l', 'm-02', '--json');
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(step(json(r), 'm-02', 'restart demo').status, 'changed');
  const proof = step(json(r), 'm-02', 'demo proven');
  assert.equal(proof.status, 'ok');
  assert.match(proof.message, /seen: "demo ready" in the journal of demo/);
  const again = await run('proof', '-l', 'm-02', '--json');
  assert.equal(json(again).hosts['m-02']!.status, 'ok', 'nothing changed, so no restart and no proof to run');
});

test('failures name the path, unit or package and what to do; onFailure.restore undoes lineInFile', async () => {
  const restore = fleet.host('f-restore');
  const r = await run('failures', '-l', 'f-*', '--json');
  assert.equal(r.code, 2, r.stderr);
  const report = json(r);
  const message = (c: string) => {
    const failed = stepsOf(report, `f-${c}`).find((x) => x.status === 'failed');
    assert.ok(failed, `f-${c} did not fail: ${JSON.stringify(report.hosts[`f-${c}`])}`);
    return failed.message;
  };
  assert.match(
    message('file'),
    /could not write \/etc\/sophos\/no-such-dir\/x\.conf \(.+\); the previous file is intact/,
  );
  assert.match(message('line'), /\/etc\/sophos\/missing\.conf does not exist: create it first, or set create: true/);
  assert.match(message('yaml'), /\/etc\/sophos\/broken\.yaml: not valid YAML: .*fix it by hand, it was not changed/);
  assert.match(message('command'), /rc=7: the command failed/);
  assert.match(
    message('service'),
    /demo did not come up after start \(.*demo\.conf line 1: fail = yes is set.*\); `journalctl -u demo` has the rest/,
  );
  assert.match(message('assert'), /\/etc\/sophos\/must-exist is missing: create it first/);
  assert.match(
    message('wait'),
    /not seen within 1 s: \/etc\/sophos\/never exists: check that the change took effect on the host, or raise timeout/,
  );
  assert.match(
    message('package'),
    /package no-such-tool is not installed and apt offers no version of it \(`apt-cache policy no-such-tool`\): check the name/,
  );
  const handler = step(report, 'f-restore', 'restart demo');
  assert.equal(handler.status, 'failed');
  assert.match(handler.message, /the previous demo fail line was restored and "restart demo" then succeeded/);
  assert.equal(readFile(restore, 'demo.conf'), 'port = 80\n', 'restored byte for byte');
  assert.equal(demoState(restore).state, 'active');
  assert.ok(!restore.listSophosDir().some((n) => /sls-play|\.bak$/.test(n)), String(restore.listSophosDir()));
});

test('the simulation the SLS tests rely on is unchanged: the sensor package and unit beside demo.service', async () => {
  const r = await execOn(fleet, 'm-02', [
    "dpkg-query -W -f='${Status} ${Version}\\n' sophoslinuxsensor; systemctl is-active sophoslinuxsensor; systemctl is-active demo; dpkg-query -W old-tool; dpkg-query -W nosuch || echo rc=$?",
  ]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /install ok installed 5\.10\.0\.3\n\s*active\n\s*(in)?active\n\s*old-tool\t1\.0\n\s*rc=1/);
});
