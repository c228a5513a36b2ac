// A rollout survives hosts and networks misbehaving: a host lost mid-run, hanging commands,
// refused connections, a full disk, a changed host key. One fleet; each test picks its hosts
// with --limit and checks what is on them afterwards, and the exit status.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { useFleet } from '../helpers/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import {
  assertConverged,
  assertOriginalOrIntended,
  assertUntouched,
  backups,
  deploy,
  deployArgs,
  intendedConfig,
  parseJson,
  spawnCli,
  tempFiles,
  waitUntil,
  restarting,
} from '../helpers/rollout.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fleet = useFleet(
  [
    // lost mid-run
    { name: 'lost-restart', config: OPERATOR_CONFIG, slowRestartMs: 4_000 },
    { name: 'lost-alert', config: OPERATOR_CONFIG, testAlertHangs: true },
    { name: 'ok-lost', config: OPERATOR_CONFIG },
    // hanging commands
    { name: 'hang-alert', config: OPERATOR_CONFIG, testAlertHangs: true },
    { name: 'ok-hang', config: OPERATOR_CONFIG },
    { name: 'hang-restart', config: OPERATOR_CONFIG, slowRestartMs: 10 * 60_000 },
    // refused
    { name: 'late', config: OPERATOR_CONFIG, down: true },
    { name: 'ok-late', config: OPERATOR_CONFIG },
    { name: 'gone', config: OPERATOR_CONFIG, down: true },
    { name: 'busy', config: OPERATOR_CONFIG },
    // full disk: no room for the new file at all / room for it but not for the backup
    { name: 'full-write', config: OPERATOR_CONFIG, diskFullBytes: 5 * 4096 },
    { name: 'full-backup', config: OPERATOR_CONFIG, diskFullBytes: 6 * 4096 },
    // host key changed in the middle of the fleet
    { name: 'key-01', config: OPERATOR_CONFIG },
    { name: 'key-02', config: OPERATOR_CONFIG },
    { name: 'key-03', config: OPERATOR_CONFIG },
  ],
  { subnet: 132 },
);

describe('a host that goes down in the middle of the run', () => {
  test('sshd killed during the restart, another during the test alert: both unreachable, configs whole, the other host finishes', async () => {
    const cli = spawnCli(deployArgs(fleet, ['-l', 'lost-restart,lost-alert,ok-lost']));
    const lostRestart = fleet.host('lost-restart');
    const lostAlert = fleet.host('lost-alert');
    await waitUntil('lost-restart to be restarting', () => restarting(lostRestart));
    await lostRestart.stopSshd();
    // lost-alert: its restart is done and its test alert (which hangs) is under way
    await waitUntil(
      'lost-alert to be restarted',
      () => lostAlert.restartCount() === 1 && lostAlert.serviceState() === 'active',
    );
    await sleep(500);
    await lostAlert.stopSshd();
    const exit = await cli.exited;
    const json = parseJson({ code: exit.code ?? -1, stdout: cli.stdout(), stderr: cli.stderr() });

    assert.equal(exit.code, 3, cli.stderr());
    assert.deepEqual(json.summary, { ok: 0, changed: 1, failed: 0, unreachable: 2, skipped: 0 });
    const restartStep = json.hosts['lost-restart']!.steps.at(-1)!;
    assert.equal(json.hosts['lost-restart']!.status, 'unreachable');
    assert.equal(restartStep.name, 'restart sensor');
    assert.equal(restartStep.status, 'unreachable');
    assert.match(restartStep.message, /connection to .* lost .*while running/);
    const alertStep = json.hosts['lost-alert']!.steps.at(-1)!;
    assert.equal(json.hosts['lost-alert']!.status, 'unreachable');
    assert.equal(alertStep.name, 'test alert');
    assert.equal(alertStep.status, 'unreachable');

    // the config had been written whole before the host went: the intended bytes, no temp file
    assert.equal(assertOriginalOrIntended(lostRestart, OPERATOR_CONFIG), 'intended');
    assert.equal(assertOriginalOrIntended(lostAlert, OPERATOR_CONFIG), 'intended');
    assert.equal(lostAlert.loadedConfig(), lostAlert.readConfig(), 'lost-alert: the sensor runs the new config');
    assertConverged(fleet, fleet.host('ok-lost'), OPERATOR_CONFIG);
  });
});

describe('hanging commands', () => {
  test('a test alert that never returns fails that host quickly, naming -test-alert and sls_test_timeout', async () => {
    const run = await deploy(fleet, ['-l', 'hang-alert,ok-hang', '-e', 'sls_test_timeout=2']);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(run.json.summary, { ok: 0, changed: 1, failed: 1, unreachable: 0, skipped: 0 });
    const step = run.json.hosts['hang-alert']!.steps.at(-1)!;
    assert.equal(step.name, 'test alert');
    assert.equal(step.status, 'failed');
    assert.match(step.message, /sophoslinuxsensor -test-alert did not return within sls_test_timeout \(2 s\)/);
    // bounded by the 2 s asked for, not by the 30 s default
    assert.ok(run.ms < 25_000, `took ${run.ms} ms`);

    const host = fleet.host('hang-alert');
    assert.equal(host.readConfig(), intendedConfig(OPERATOR_CONFIG));
    assert.equal(host.restartCount(), 1);
    assert.equal(host.serviceState(), 'active');
    assert.equal(host.loadedConfig(), host.readConfig());
    assert.equal(fleet.centralInbox().filter((d) => d.host === 'hang-alert').length, 0);
    assertConverged(fleet, fleet.host('ok-hang'), OPERATOR_CONFIG);
  });

  test('a restart that never finishes fails at --task-timeout naming the command, and the old config is put back', async () => {
    const run = await deploy(fleet, ['-l', 'hang-restart', '--task-timeout', '3']);
    assert.equal(run.code, 2, run.stderr);
    const host = run.json.hosts['hang-restart']!;
    assert.equal(host.status, 'failed');
    const step = host.steps.at(-1)!;
    assert.equal(step.name, 'restart sensor');
    assert.equal(step.status, 'failed');
    assert.match(step.message, /`systemctl restart sophoslinuxsensor` did not finish within the --task-timeout of 3 s/);
    assert.match(step.message, /the previous config was restored/);
    assert.ok(run.ms < 40_000, `took ${run.ms} ms`);

    // never a new config waiting for a sensor that is not running: the old bytes are back, so
    // whatever start is still pending on the host loads the config it ran before
    const h = fleet.host('hang-restart');
    assert.equal(h.readConfig(), OPERATOR_CONFIG);
    assert.deepEqual(tempFiles(h), []);
    assert.equal(backups(h).length, 1, 'the backup the rollback used is kept');
    assert.equal(h.restartCount(), 2, 'the restart with the new config, then the one of the rollback');
    assert.equal(fleet.centralInbox().filter((d) => d.host === 'hang-restart').length, 0);
  });
});

describe('refused connections', () => {
  test('refused at first, then up within the backoff of --retries 3: the host converges', async () => {
    const late = fleet.host('late');
    assert.equal(late.isUp(), false);
    const cli = spawnCli(deployArgs(fleet, ['-l', 'late,ok-late', '--retries', '3', '-v']));
    // -v tells of each attempt to be made again: the first one met the closed port
    await waitUntil('a refused first attempt', () =>
      /^late: connection refused by [\d.]+:\d+.*; trying again in 0\.5 s \(attempt 2 of 4\)/m.test(cli.stderr()),
    );
    await late.startSshd();
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    const json = parseJson({ code: exit.code ?? -1, stdout: cli.stdout(), stderr: cli.stderr() });
    assert.deepEqual(json.summary, { ok: 0, changed: 2, failed: 0, unreachable: 0, skipped: 0 });
    assertConverged(fleet, late, OPERATOR_CONFIG);
    assertConverged(fleet, fleet.host('ok-late'), OPERATOR_CONFIG);
  });

  test('--retries 0: unreachable, refused, at once', async () => {
    const run = await deploy(fleet, ['-l', 'gone', '--retries', '0']);
    assert.equal(run.code, 3, run.stderr);
    const host = run.json.hosts.gone!;
    assert.equal(host.status, 'unreachable');
    assert.equal(host.steps.length, 1);
    assert.equal(host.steps[0]!.name, 'connect');
    assert.match(host.steps[0]!.message, /^connection refused by 127\.132\.\d+\.\d+:2222; check that sshd runs there/);
    assert.doesNotMatch(host.steps[0]!.message, /attempts/);
    assertUntouched(fleet, fleet.host('gone'), OPERATOR_CONFIG);
  });

  test('--retries 2 on a host that stays down: three attempts with backoff, then unreachable', async () => {
    const run = await deploy(fleet, ['-l', 'gone', '--retries', '2']);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.json.hosts.gone!.steps[0]!.message, /^connection refused by .* \(after 3 attempts\)$/);
    // it waited between the attempts: 0.5 s, then 1 s (a lower bound, whatever the machine's load)
    assert.ok(run.ms >= 1_500, `took ${run.ms} ms`);
  });
});

describe('a connection dropped during the handshake', () => {
  test('as a busy sshd does (MaxStartups, LoginGraceTime): retried like a refusal, the host converges', async () => {
    const busy = fleet.host('busy');
    // in front of busy's sshd: the first connection is cut right after it is accepted, mid-handshake
    let connections = 0;
    const sockets = new Set<Socket>();
    const proxy = createServer((client) => {
      sockets.add(client);
      if (connections++ === 0) return void client.destroy();
      const server = connect(busy.port, busy.address);
      sockets.add(server);
      client.pipe(server).pipe(client);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(2223, busy.address, () => resolve()));
    try {
      const inventory = join(fleet.dir, 'busy.yml');
      writeFileSync(
        inventory,
        `all:\n  hosts:\n    busy:\n      ansible_host: ${busy.address}\n      ansible_port: 2223\n      ansible_user: root\n      ansible_ssh_private_key_file: ${fleet.keyPath}\n`,
      );
      const knownHosts = join(fleet.dir, 'busy_known_hosts');
      writeFileSync(knownHosts, `[${busy.address}]:2223 ${busy.hostKey()}\n`);
      const run = await deploy({ ...fleet, inventoryPath: inventory, knownHostsPath: knownHosts }, ['--retries', '1']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(connections, 2, 'dropped once, then through');
      assertConverged(fleet, busy, OPERATOR_CONFIG);

      // and without a retry the drop is what the host reports
      connections = 0;
      const once = await deploy({ ...fleet, inventoryPath: inventory, knownHostsPath: knownHosts }, ['--retries', '0']);
      assert.equal(once.code, 3, once.stderr);
      assert.equal(once.json.hosts.busy!.status, 'unreachable');
      assert.match(once.json.hosts.busy!.steps[0]!.message, /127\.132\.\d+\.\d+:2223 closed the connection/);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('a full disk', () => {
  test('the write fails with "No space left on device", the old config is intact, no temp file or partial backup', async () => {
    const run = await deploy(fleet, ['-l', 'full-write,full-backup']);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(run.json.summary, { ok: 0, changed: 0, failed: 2, unreachable: 0, skipped: 0 });
    for (const name of ['full-write', 'full-backup']) {
      const step = run.json.hosts[name]!.steps.at(-1)!;
      assert.equal(step.name, 'config');
      assert.equal(step.status, 'failed');
      assert.match(
        step.message,
        /^could not write \/etc\/sophos\/runtimedetections\.yaml \(.*No space left on device\); the previous file is intact/,
      );
      const host = fleet.host(name);
      assert.equal(host.readConfig(), OPERATOR_CONFIG, `${name}: old config, bytes equal`);
      assert.deepEqual(tempFiles(host), [], `${name}: no temp file`);
      assert.deepEqual(backups(host), [], `${name}: no partial backup`);
      assert.equal(host.restartCount(), 0, `${name}: not restarted`);
      assert.equal(host.serviceState(), 'active');
    }
    assert.match(run.json.hosts['full-write']!.steps.at(-1)!.message, /cat: write error/);
    assert.match(run.json.hosts['full-backup']!.steps.at(-1)!.message, /cp: error copying/);
  });
});

describe('a changed host key', () => {
  test('only that host refuses; the hosts around it converge', async () => {
    await fleet.host('key-02').rotateHostKey();
    const run = await deploy(fleet, ['-l', 'key-*']);
    assert.equal(run.code, 3, run.stderr);
    assert.deepEqual(run.json.summary, { ok: 0, changed: 2, failed: 0, unreachable: 1, skipped: 0 });
    const host = run.json.hosts['key-02']!;
    assert.equal(host.status, 'unreachable');
    assert.equal(host.steps[0]!.name, 'connect');
    assert.match(host.steps[0]!.message, /host key .*changed|changed.*host key/i);
    assertUntouched(fleet, fleet.host('key-02'), OPERATOR_CONFIG);
    assertConverged(fleet, fleet.host('key-01'), OPERATOR_CONFIG);
    assertConverged(fleet, fleet.host('key-03'), OPERATOR_CONFIG);
  });
});
