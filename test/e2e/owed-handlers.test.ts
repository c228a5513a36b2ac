// Nothing a run started is forgotten. Four faults, each between a change that notifies handlers
// and those handlers: the CLI SIGKILLed during the restart, the SSH session dropped during the
// restart, a later task failing, and two Ctrl-C. After each, the host keeps a record of what it
// is owed: `status --fail-on-drift` names it, `--check` lists the handler and changes nothing,
// the next deploy restarts the sensor exactly once and proves it with a test alert, and a third
// run has nothing left to do.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import type { FleetHost } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { CONTAINER_CONFIG, MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, execOn } from '../helpers/cli.ts';
import { API_KEY, deployArgs, MCS_URL, parseJson, restarting, spawnCli, waitUntil } from '../helpers/rollout.ts';
import { demoState } from './module-helpers.ts';

const DEMO_PLAYBOOK = fileURLToPath(new URL('../fixtures/playbooks/demo-handler.ts', import.meta.url));
const ENV = { SLS_API_KEY: API_KEY };
const SLOW_RESTART_MS = 2_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Already sends to Central (Ireland): compliant as far as the sensor's config goes. */
const CONVERGED = `${OPERATOR_CONFIG}    - type: mcs
      enabled: true
      url: "${MCS_URL}"
      api_key: "${API_KEY}"
`;

// the hosts of the SLS playbook's faults: a removal run (sls_central=absent) is among them
const SLS_HOSTS = ['kill-01', 'kill-rm', 'drop-01', 'int-01'];

const fleet = useFleet(
  [
    { name: 'kill-01', config: OPERATOR_CONFIG, slowRestartMs: SLOW_RESTART_MS },
    { name: 'kill-rm', config: MCS_CONFIG, slowRestartMs: SLOW_RESTART_MS, vars: { sls_central: 'absent' } },
    { name: 'drop-01', config: OPERATOR_CONFIG, slowRestartMs: SLOW_RESTART_MS },
    { name: 'int-01', config: OPERATOR_CONFIG, slowRestartMs: SLOW_RESTART_MS },
    { name: 'fail-01', config: CONVERGED, demo: 'active' },
    { name: 'force-01', config: CONVERGED, demo: 'active' },
    { name: 'edited-01', config: CONVERGED },
    {
      name: 'box-01',
      deployment: 'container',
      config: CONTAINER_CONFIG,
      vars: {
        sls_deployment: 'container',
        sls_exec_prefix: 'docker exec sls',
        sls_restart_command: 'docker restart sls',
      },
    },
    {
      name: 'box-02',
      deployment: 'container',
      config: CONTAINER_CONFIG,
      vars: { sls_deployment: 'container', sls_exec_prefix: 'sh -c', sls_restart_command: 'docker restart sls' },
    },
  ],
  { subnet: 140 },
);

const host = (name: string) => fleet.host(name);
const alertsInJournal = (h: FleetHost) => h.journal().match(/Alert triggered: Alert Tester/g)?.length ?? 0;
const delivered = (h: FleetHost) => fleet.centralInbox().filter((d) => d.host === h.name).length;
/** The handlers a host's records say it is owed, by playbook. */
function owedOn(h: FleetHost): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const record of Object.values(h.owedRecords()) as Array<{
    playbook: string;
    owed: Array<{ handler: string }>;
  }>) {
    out[record.playbook] = record.owed.map((e) => e.handler);
  }
  return out;
}
const SLS = 'SLS alert export to Sophos Central';

async function settle(names: string[]): Promise<void> {
  await waitUntil(
    'the restarts left behind to finish',
    () => !names.some((n) => restarting(host(n))),
    3 * SLOW_RESTART_MS + 5_000,
  );
}

function statusRun(limit: string, extra: string[] = []) {
  return runCli(['status', ...fleetArgs(fleet), '-l', limit, '--fail-on-drift', ...extra], { env: ENV });
}
const driftLines = (stdout: string) =>
  new Map([...stdout.matchAll(/^drift: \[([^\]]+)\] (.*)$/gm)].map((m) => [m[1]!, m[2]!]));

describe('four faults between a change and its handlers', () => {
  before(async () => {
    // 1. SIGKILL while the sensors restart (a cancelled CI job), a removal run among them
    const killed = spawnCli(deployArgs(fleet, ['-l', 'kill-01,kill-rm']));
    await waitUntil(
      'kill-01 and kill-rm to be restarting',
      () => restarting(host('kill-01')) && restarting(host('kill-rm')),
    );
    killed.child.kill('SIGKILL');
    await killed.exited;

    // 2. the SSH session carrying the restart drops
    const dropped = spawnCli(deployArgs(fleet, ['-l', 'drop-01']));
    await waitUntil('drop-01 to be restarting', () => restarting(host('drop-01')));
    assert.ok(host('drop-01').dropSessions() >= 1, 'a session was dropped');
    const droppedExit = await dropped.exited;
    assert.equal(droppedExit.code, 3, dropped.stderr());
    assert.match(dropped.stderr(), /still owed: restart sensor, test alert/);

    // 4. two Ctrl-C: the second leaves at once
    const interrupted = spawnCli(deployArgs(fleet, ['-l', 'int-01']));
    await waitUntil('int-01 to be restarting', () => restarting(host('int-01')));
    interrupted.child.kill('SIGINT');
    await sleep(200);
    interrupted.child.kill('SIGINT');
    assert.equal((await interrupted.exited).code, 99, interrupted.stderr());
    await settle(SLS_HOSTS);
  });

  test('each host keeps a record of the handlers it is owed: no secret in it, mode 0600', () => {
    for (const name of SLS_HOSTS) {
      assert.deepEqual(owedOn(host(name)), { [SLS]: ['restart sensor', 'test alert'] }, name);
      const text = JSON.stringify(host(name).owedRecords());
      assert.ok(!text.includes(API_KEY), `${name}: no key in the record`);
      const modes = Object.values(host(name).owedRecordModes());
      assert.deepEqual(
        modes.map((m) => m.toString(8)),
        ['600'],
        `${name}: one record, readable by its owner only`,
      );
    }
  });

  test('3. a later task failing keeps the restart owed (user playbook); exit 2', async () => {
    const run = await runCli(
      ['deploy', ...fleetArgs(fleet), '-p', DEMO_PLAYBOOK, '-l', 'fail-01', '-e', 'fail_later=true'],
      { env: ENV },
    );
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /fatal: \[fail-01\] later check/);
    assert.match(run.stdout, /still owed: restart demo/);
    assert.equal(demoState(host('fail-01')).restarts, 0, 'the handler did not run');
    assert.deepEqual(owedOn(host('fail-01')), { 'demo config with a handler': ['restart demo'] });
  });

  test('status --fail-on-drift exits 2 naming every such host and the owed handler', async () => {
    const run = await statusRun([...SLS_HOSTS, 'fail-01'].join(','));
    assert.equal(run.code, 2, run.stdout + run.stderr);
    const drift = driftLines(run.stdout);
    for (const name of SLS_HOSTS)
      assert.match(drift.get(name) ?? '', /restart sensor owed since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/, name);
    assert.match(drift.get('fail-01') ?? '', /restart demo owed since .*"demo config with a handler"/);
    // the table carries the reason too, and the recap does not call such a host ok
    assert.match(run.stdout, /^kill-01 .*restart sensor owed since/m);
    assert.match(run.stdout, /^kill-01\s+: drift /m);
  });

  test('--check with a record present changes nothing and lists the owed handlers as would run', async () => {
    const before = new Map(
      [...SLS_HOSTS, 'fail-01'].map((n) => [
        n,
        {
          records: host(n).owedRecords(),
          restarts: host(n).restartCount(),
          config: host(n).readConfig(),
          demo: demoState(host(n)).restarts,
        },
      ]),
    );
    const sls = await runCli([...deployArgs(fleet, ['-l', SLS_HOSTS.join(','), '--check'])], { env: ENV });
    assert.equal(sls.code, 0, sls.stderr);
    const json = parseJson(sls);
    for (const name of SLS_HOSTS) {
      const restart = json.hosts[name]!.steps.find((s) => s.name === 'restart sensor');
      assert.equal(restart?.status, 'skipped', name);
      assert.match(restart!.message, /would run .*owed since the run of/, name);
    }
    const demo = await runCli(['deploy', ...fleetArgs(fleet), '-p', DEMO_PLAYBOOK, '-l', 'fail-01', '--check'], {
      env: ENV,
    });
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /skipping: \[fail-01\] restart demo: would run/);
    for (const [name, was] of before) {
      const h = host(name);
      assert.deepEqual(
        { records: h.owedRecords(), restarts: h.restartCount(), config: h.readConfig(), demo: demoState(h).restarts },
        was,
        `${name}: nothing changed`,
      );
    }
  });

  test('the next deploy restarts each host exactly once and proves it with a test alert; a third run does nothing', async () => {
    const restarts = new Map(SLS_HOSTS.map((n) => [n, host(n).restartCount()]));
    const alerts = new Map(SLS_HOSTS.map((n) => [n, alertsInJournal(host(n))]));
    const inbox = new Map(SLS_HOSTS.map((n) => [n, delivered(host(n))]));
    const run = await runCli(deployArgs(fleet, ['-l', SLS_HOSTS.join(',')]), { env: ENV });
    assert.equal(run.code, 0, run.stderr);
    const json = parseJson(run);
    for (const name of SLS_HOSTS) {
      const h = host(name);
      assert.equal(h.restartCount(), restarts.get(name)! + 1, `${name}: restarted once`);
      assert.equal(h.loadedConfig(), h.readConfig(), `${name}: the sensor runs the config on disk`);
      assert.equal(alertsInJournal(h), alerts.get(name)! + 1, `${name}: one test alert`);
      assert.deepEqual(h.owedRecords(), {}, `${name}: record cleared`);
      const owedStep = json.hosts[name]!.steps.find((s) => s.name === 'owed handlers');
      assert.match(
        owedStep?.message ?? '',
        /restart sensor: owed since the run of \d{4}-\d\d-\d\d \d\d:\d\d UTC .*which ended before its handlers ran/,
        name,
      );
      assert.match(json.hosts[name]!.steps.find((s) => s.name === 'restart sensor')!.message, /owed since the run of/);
    }
    // the removal host has no mcs output any more: its alert stays in the journal
    for (const name of ['kill-01', 'drop-01', 'int-01'])
      assert.equal(delivered(host(name)), inbox.get(name)! + 1, `${name}: Central got the test alert`);
    assert.equal(delivered(host('kill-rm')), inbox.get('kill-rm'));
    assert.doesNotMatch(host('kill-rm').readConfig()!, /type: mcs/);

    const third = await runCli(deployArgs(fleet, ['-l', SLS_HOSTS.join(',')]), { env: ENV });
    assert.equal(third.code, 0, third.stderr);
    for (const name of SLS_HOSTS)
      assert.equal(host(name).restartCount(), restarts.get(name)! + 1, `${name}: not restarted again`);
    const status = await statusRun('kill-01,drop-01,int-01');
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const removed = await statusRun('kill-rm');
    assert.doesNotMatch(
      removed.stdout,
      /owed/,
      'the removal host owes nothing (its only drift is the mcs output it asked to lose)',
    );
  });

  test('the user playbook: the next run restarts demo once, the third restarts nothing', async () => {
    const deploy = () => runCli(['deploy', ...fleetArgs(fleet), '-p', DEMO_PLAYBOOK, '-l', 'fail-01'], { env: ENV });
    const run = await deploy();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /ok: \[fail-01\] owed handlers: restart demo: owed since the run of/);
    assert.equal(demoState(host('fail-01')).restarts, 1);
    assert.deepEqual(host('fail-01').owedRecords(), {});
    const third = await deploy();
    assert.equal(third.code, 0);
    assert.equal(demoState(host('fail-01')).restarts, 1);
    assert.equal((await statusRun('fail-01')).code, 0);
  });
});

test('--force-handlers runs the notified handlers on a host where a later task failed, and leaves nothing owed', async () => {
  const run = await runCli(
    ['deploy', ...fleetArgs(fleet), '-p', DEMO_PLAYBOOK, '-l', 'force-01', '-e', 'fail_later=true', '--force-handlers'],
    { env: ENV },
  );
  assert.equal(run.code, 2, run.stdout + run.stderr);
  assert.match(run.stdout, /fatal: \[force-01\] later check/);
  assert.match(run.stdout, /changed: \[force-01\] restart demo/);
  assert.equal(demoState(host('force-01')).restarts, 1);
  assert.equal(demoState(host('force-01')).loadedConfig, 'level = info\n');
  assert.deepEqual(host('force-01').owedRecords(), {});
});

test('a config written after the sensor started is drift until the sensor is restarted, whoever wrote it', async () => {
  const h = host('edited-01');
  assert.equal((await statusRun('edited-01')).code, 0);
  await sleep(1_100); // file times are compared in whole seconds
  const exec = await execOn(fleet, 'edited-01', [
    'sh',
    '-c',
    'echo "# reviewed" >> /etc/sophos/runtimedetections.yaml',
  ]);
  assert.equal(exec.code, 0, exec.stderr);
  const drifted = await statusRun('edited-01', ['--json']);
  assert.equal(drifted.code, 2);
  assert.match(
    JSON.parse(drifted.stdout).drift['edited-01'],
    /config changed after the sensor started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; restart it/,
  );
  const restart = await runCli(deployArgs(fleet, ['-l', 'edited-01', '-e', 'sls_force_restart=true']), { env: ENV });
  assert.equal(restart.code, 0, restart.stderr);
  assert.equal(h.loadedConfig(), h.readConfig());
  assert.equal((await statusRun('edited-01')).code, 0);
});

test('a containerised sensor: its start time comes from the container where it can be asked; otherwise status says it cannot tell', async () => {
  const run = await runCli(['status', ...fleetArgs(fleet), '-l', 'box-*', '--json'], { env: ENV });
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as {
    hosts: Record<string, { facts: { configLoaded: { state: string; why?: string } }; steps: { message: string }[] }>;
  };
  assert.equal(doc.hosts['box-01']!.facts.configLoaded.state, 'loaded');
  assert.equal(doc.hosts['box-02']!.facts.configLoaded.state, 'unknown');
  assert.match(
    doc.hosts['box-02']!.steps[0]!.message,
    /config loaded: cannot tell \(the container cannot be asked when it started \(sls_exec_prefix "sh -c" names no docker or podman container\)\)/,
  );
});
