// The per-host run lock end to end: real CLIs started together against real sshd hosts. What a
// user checks: which run got each host, what the other said (exit status, words), how long a
// killed or cut-off run keeps a host (it must not), and what is on the host at the end.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { fleetArgs, runCli, type CliRun } from '../helpers/cli.ts';
import { parseJson, spawnCli, waitUntil, type LiveCli } from '../helpers/rollout.ts';

const SUBNET = 231;
/** A login user with passwordless sudo: the lock is root's, under /var/lib/sls-play, as every command runs through sudo. */
const SUDO_USER = `slslock${SUBNET}-sudo`;
const SUDOERS = `/etc/sudoers.d/sls-play-lock-test-${SUBNET}`;

const HOSTS = ['lock-01', 'lock-02', 'lock-03', 'lock-noflock', 'lock-sudo'];

let fleet: Fleet;
let scratch: string;

interface LockJson {
  outcome: string;
  waitedS: number;
  holder?: string;
}
type HostWithLock = ReturnType<typeof parseJson>['hosts'][string] & { lock?: LockJson };

const lockOf = (run: CliRun, host: string): LockJson | undefined =>
  (parseJson(run).hosts[host] as HostWithLock | undefined)?.lock;

function removeUsers(): void {
  for (const user of [SUDO_USER]) spawnSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
  rmSync(SUDOERS, { force: true });
}

before(async () => {
  removeUsers();
  for (const user of [SUDO_USER]) {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', user]);
    // sshd refuses a locked ('!') account even for key logins; '*' only disables passwords
    execFileSync('usermod', ['-p', '*', user]);
  }
  writeFileSync(SUDOERS, `${SUDO_USER} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  fleet = await startFleet(
    [
      { name: 'lock-01' },
      { name: 'lock-02' },
      { name: 'lock-03' },
      // busybox has a flock, but a host may have none: then a mkdir lock with owner and expiry
      { name: 'lock-noflock', without: ['flock'] },
      { name: 'lock-sudo', vars: { ansible_user: SUDO_USER, ansible_become: true } },
    ],
    { subnet: SUBNET },
  );
  scratch = mkdtempSync(join(tmpdir(), 'sls-lock-test-'));
  chmodSync(scratch, 0o1777); // the non-root logins leave their marks here too
});

after(async () => {
  await fleet?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  removeUsers();
});

/** `exec` on the fleet with --json. */
const exec = (command: string, extra: string[] = []) =>
  runCli(['exec', ...fleetArgs(fleet), 'all', '--json', ...extra, '--', command]);

/** A run holding every host until `release()` (its command waits for a file), once every host runs it. */
interface Holding extends LiveCli {
  release(): Promise<CliRun>;
}

let holds = 0;
/** Every holding run's release, so that a failed test leaves no host held for the next. */
const releases: Array<() => void> = [];
afterEach(() => {
  for (const release of releases.splice(0)) release();
});
async function holding(extra: string[] = []): Promise<Holding> {
  holds += 1;
  const marker = join(scratch, `started-${holds}`);
  const go = join(scratch, `release-${holds}`);
  const live = spawnCli([
    'exec',
    ...fleetArgs(fleet),
    'all',
    '--json',
    ...extra,
    '--',
    `hostname >> ${marker}; while [ ! -e ${go} ]; do sleep 0.1; done`,
  ]);
  try {
    await waitUntil('every host running the holding command', () => {
      if (!existsSync(marker)) return false;
      return readFileSync(marker, 'utf8').trim().split('\n').length === HOSTS.length;
    });
  } catch (error) {
    live.child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${live.stdout()}\n${live.stderr()}`);
  }
  releases.push(() => writeFileSync(go, ''));
  const release = async () => {
    writeFileSync(go, '');
    const done = await live.exited;
    return { code: done.code ?? -1, stdout: live.stdout(), stderr: live.stderr() };
  };
  return { ...live, release };
}

test('--lock-wait 0: a host another run holds fails at once, named, with the holder; exit 2', async () => {
  const first = await holding();
  const began = Date.now();
  const second = await exec('echo second', ['--lock-wait', '0']);
  const took = Date.now() - began;
  assert.equal(second.code, 2, second.stderr);
  for (const host of HOSTS) {
    const report = parseJson(second).hosts[host]!;
    assert.equal(report.status, 'failed', host);
    const step = report.steps.find((s) => s.name === 'run lock');
    assert.match(step?.message ?? '', /^held by run [0-9a-f]+ of \S+@\S+ since \d{4}-\d\d-\d\dT/, host);
    assert.equal(lockOf(second, host)?.outcome, 'held');
  }
  assert.ok(took < 5_000, `failed at once, not after a wait (${took} ms)`);
  const firstRun = await first.release();
  assert.equal(firstRun.code, 0, firstRun.stderr);
  for (const host of HOSTS) assert.equal(lockOf(firstRun, host)?.outcome, 'taken', host);
});

test('a second run waits for the first, says so, then runs; the time waited is reported', async () => {
  const first = await holding();
  const live = spawnCli(['exec', ...fleetArgs(fleet), 'all', '--json', '--', 'echo second']);
  const waiting = /waiting: \[lock-\S+\] waiting for run [0-9a-f]+ of \S+@\S+ since \S+ \(up to 60 s, --lock-wait\)/g;
  await waitUntil('the second run waiting on every host', () => live.stderr().match(waiting)?.length === HOSTS.length);
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(live.stdout(), '', 'nothing done yet');
  await first.release();
  const exited = await live.exited;
  const second = { code: exited.code ?? -1, stdout: live.stdout(), stderr: live.stderr() };
  assert.equal(second.code, 0, second.stderr);
  for (const host of HOSTS) {
    const lock = lockOf(second, host)!;
    assert.equal(lock.outcome, 'taken', host);
    assert.ok(lock.waitedS >= 0.5 && lock.waitedS < 20, `${host}: waited ${lock.waitedS} s`);
  }
});

test('a SIGKILLed run leaves no host locked: the next run starts at once', async () => {
  const first = await holding();
  first.child.kill('SIGKILL');
  await first.exited;
  const began = Date.now();
  const next = await exec('echo next', ['--lock-wait', '20']);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(Date.now() - began < 5_000, `started within a few seconds (${Date.now() - began} ms)`);
  for (const host of HOSTS) assert.ok((lockOf(next, host)?.waitedS ?? 99) < 3, host);
  await first.release(); // ends the killed run's command, still running on the hosts
});

test('a dropped SSH session releases the lock', async () => {
  const first = await holding();
  for (const host of fleet.hosts) host.dropSessions();
  const cut = await first.release();
  assert.notEqual(cut.code, 0, 'the cut-off run does not report success');
  const began = Date.now();
  const next = await exec('echo next', ['--lock-wait', '20']);
  assert.equal(next.code, 0, next.stderr);
  assert.ok(Date.now() - began < 5_000, `started within a few seconds (${Date.now() - began} ms)`);
});

test('exec --no-lock runs beside a run that holds the host', async () => {
  const first = await holding();
  const beside = await exec('echo beside', ['--no-lock', '--lock-wait', '0']);
  assert.equal(beside.code, 0, beside.stderr);
  for (const host of HOSTS) assert.equal(lockOf(beside, host), undefined, host);
  await first.release();
});
