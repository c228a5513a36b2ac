// The per-host run lock end to end: real CLIs started together against real sshd hosts. What a
// user checks: which run got each host, what the other said (exit status, words), how long a
// killed or cut-off run keeps a host (it must not), and what is on the host at the end.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sliceOf } from '../../src/runner/slice.ts';
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

/** An exec holding every host until `release()` (its one command, run with the lock taken inside it, waits for a file). */
interface Holding extends LiveCli {
  release(): Promise<CliRun>;
}

let holds = 0;
/** Every holding run's release, so that a failed test leaves no host held for the next. */
const releases: Array<() => void> = [];
afterEach(() => {
  for (const release of releases.splice(0)) release();
});
async function holding(extra: string[] = [], enough = (n: number) => n === HOSTS.length): Promise<Holding> {
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
      return enough(readFileSync(marker, 'utf8').trim().split('\n').length);
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
  const junit = join(scratch, 'held.xml');
  const html = join(scratch, 'held.html');
  const second = await exec('echo second', ['--lock-wait', '0', '--junit', junit, '--html-out', html]);
  const took = Date.now() - began;
  assert.equal(second.code, 2, second.stderr);
  for (const host of HOSTS) {
    const report = parseJson(second).hosts[host]!;
    assert.equal(report.status, 'failed', host);
    const step = report.steps.find((s) => s.name === 'run lock');
    assert.match(step?.message ?? '', /^held by run [0-9a-f]+ of \S+@\S+ since \d{4}-\d\d-\d\dT/, host);
    assert.equal(lockOf(second, host)?.outcome, 'held');
  }
  assert.ok(took < 30_000, `failed well before the default wait of 60 s (${took} ms)`);
  for (const host of HOSTS) assert.equal(lockOf(second, host)?.waitedS, 0, host);
  // where the lock lives: root's state directory (through sudo too); a mkdir lock where flock is missing
  const state = (name: string, file: string) => join(fleet.host(name).root, 'sls-play', file);
  assert.match(
    readFileSync(state('lock-sudo', 'run.owner'), 'utf8'),
    /^run=[0-9a-f]+\nby=\S+@\S+\nsince=\S+\npid=\d+\n$/,
  );
  assert.match(readFileSync(state('lock-noflock', 'run.lock.d/owner'), 'utf8'), /^run=[0-9a-f]+\n.*\nexpires=\d+\n$/s);
  // the recap, JUnit and HTML say who held each host and how long this run waited
  assert.equal(
    second.stderr.match(/^ +run lock: held by run [0-9a-f]+ of \S+ since \S+; waited 0 s$/gm)?.length,
    HOSTS.length,
  );
  const xml = readFileSync(junit, 'utf8');
  assert.equal(xml.match(/<failure type="failed" message="run lock: held by run /g)?.length, HOSTS.length);
  assert.equal(xml.match(/run lock: held by run [0-9a-f]+ of \S+ since \S+; waited 0 s/g)?.length, HOSTS.length);
  assert.match(readFileSync(html, 'utf8'), /held by run [0-9a-f]+ of \S+ since \S+; waited 0 s/);
  const firstRun = await first.release();
  assert.equal(firstRun.code, 0, firstRun.stderr);
  for (const host of HOSTS) assert.equal(lockOf(firstRun, host)?.outcome, 'taken', host);
  assert.ok(!existsSync(state('lock-noflock', 'run.lock.d')), 'the mkdir lock is gone with its run');
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
  const next = await exec('echo next', ['--lock-wait', '30']);
  assert.equal(next.code, 0, next.stderr);
  // the whole run, node's start included, on a loaded machine: far below the 30 s it could wait
  assert.ok(Date.now() - began < 15_000, `started without waiting out --lock-wait (${Date.now() - began} ms)`);
  for (const host of HOSTS) assert.ok((lockOf(next, host)?.waitedS ?? 99) < 2, `${host}: no wait`);
  await first.release(); // ends the killed run's command, still running on the hosts
});

test('a dropped SSH session releases the lock, even while its controller lives on', async () => {
  const first = await holding();
  // frozen, the controller keeps its end of every connection: only the hosts' side goes
  first.child.kill('SIGSTOP');
  try {
    for (const host of fleet.hosts) host.dropSessions();
    const next = await exec('echo next', ['--lock-wait', '30']);
    assert.equal(next.code, 0, next.stderr);
    for (const host of HOSTS) assert.ok((lockOf(next, host)?.waitedS ?? 99) < 2, `${host}: no wait`);
  } finally {
    first.child.kill('SIGCONT');
  }
  const cut = await first.release();
  assert.notEqual(cut.code, 0, 'the cut-off run does not report success');
});

test('exec --no-lock runs beside a run that holds the host', async () => {
  const first = await holding();
  const beside = await exec('echo beside', ['--no-lock', '--lock-wait', '0']);
  assert.equal(beside.code, 0, beside.stderr);
  for (const host of HOSTS) assert.equal(lockOf(beside, host), undefined, host);
  await first.release();
});

test('--check does not wait: it says a run holds the host and plans against what it reads', async () => {
  const first = await holding();
  const began = Date.now();
  const check = await runCli([
    'run',
    ...fleetArgs(fleet),
    'all',
    'file',
    'path=/etc/sophos/lock-check',
    'content=x',
    '--check',
    '--json',
  ]);
  assert.ok(Date.now() - began < 8_000, 'no wait');
  assert.equal(check.code, 0, check.stderr);
  for (const host of HOSTS) {
    const report = parseJson(check).hosts[host]!;
    assert.equal(lockOf(check, host)?.outcome, 'in-progress', host);
    const said = report.steps.find((s) => s.name === 'run lock')?.message ?? '';
    assert.match(
      said,
      /^a run is in progress: run [0-9a-f]+ of \S+@\S+ since \S+; this check plans against what the host holds now$/,
    );
    // the plan itself: the file would be created
    assert.equal(report.steps.find((s) => s.name !== 'run lock')?.status, 'changed', host);
  }
  await first.release();
  for (const host of fleet.hosts)
    assert.ok(!existsSync(join(host.root, 'etc', 'sophos', 'lock-check')), 'nothing written');
});

test('status never takes the lock: it shows the run in progress, and costs no extra command', async () => {
  const first = await holding();
  const before = new Map(fleet.hosts.map((h) => [h.name, h.sshActivity().commands]));
  const status = await runCli(['status', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '--json']);
  assert.equal(status.code, 0, status.stderr);
  for (const host of fleet.hosts) {
    assert.equal(lockOf(status, host.name)?.outcome, 'in-progress', host.name);
    assert.match(lockOf(status, host.name)?.holder ?? '', /^run [0-9a-f]+ of \S+@\S+ since \d{4}-/);
    assert.equal(host.sshActivity().commands - before.get(host.name)!, 1, `${host.name}: one command, as before`);
  }
  assert.match(status.stderr, /run lock: a run is in progress: run [0-9a-f]+ of \S+@\S+ since /);
  const done = await first.release();
  assert.equal(done.code, 0, 'the held run was not disturbed');
  const after = await runCli(['status', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '--json']);
  for (const host of HOSTS) assert.equal(lockOf(after, host)?.outcome, 'free', host);
});

test('overlapping slices: each host goes to one controller, the other names the first', async () => {
  const inFirst = HOSTS.filter((h) => sliceOf(h, 2) === 1).length;
  const first = await holding(['--slice', '1/2'], (n) => n === inFirst);
  const other = await exec('echo other', ['--slice', '1/1', '--lock-wait', '0']);
  const firstRun = await first.release();
  const mine = Object.keys(parseJson(firstRun).hosts);
  assert.ok(mine.length > 0 && mine.length < HOSTS.length, `slice 1/2 holds some hosts (${mine.join(', ')})`);
  const holders = new Set<string>();
  for (const host of HOSTS) {
    const lock = lockOf(other, host)!;
    if (mine.includes(host)) {
      assert.equal(lock.outcome, 'held', host);
      holders.add(lock.holder!);
    } else assert.equal(lock.outcome, 'taken', host);
  }
  assert.equal(holders.size, 1, 'one run, the first controller, named on all its hosts');
  assert.equal(other.code, 2);
});

test('a run that finds no lock: no extra command where the first command reads facts', async () => {
  const count = () => new Map(fleet.hosts.map((h) => [h.name, h.sshActivity().commands]));
  const run = async (args: string[]) => {
    const before = count();
    const done = await runCli([...args.slice(0, 1), ...fleetArgs(fleet), ...args.slice(1)]);
    assert.ok(done.code === 0, done.stderr);
    const now = count();
    return new Set(HOSTS.map((h) => now.get(h)! - before.get(h)!));
  };
  const path = `/etc/sophos/lock-count-${Date.now()}`;
  // the facts command holds the lock: a change is the facts then the write, converged is the facts alone
  assert.deepEqual(await run(['run', 'all', 'file', `path=${path}`, 'content=x']), new Set([2]));
  assert.deepEqual(await run(['run', 'all', 'file', `path=${path}`, 'content=x']), new Set([1]));
  // a run whose one command is the user's (exec, run command) takes the lock inside that command
  assert.deepEqual(await run(['exec', 'all', '--', 'true']), new Set([1]));
  assert.deepEqual(await run(['exec', 'all', '--no-lock', '--', 'true']), new Set([1]));
  assert.deepEqual(await run(['run', 'all', 'command', 'cmd=true']), new Set([1]));
});

test("exec takes the lock inside the user's command: its output and exit code are its own", async () => {
  const run = await exec(`printf 'out\\n'; printf 'no newline'; echo err >&2; exit 3`);
  assert.equal(run.code, 2, run.stderr);
  for (const host of HOSTS) {
    const step = parseJson(run).hosts[host]!.steps.find((s) => s.name === 'command') as
      | { rc?: number; stdout?: string; stderr?: string }
      | undefined;
    assert.equal(step?.rc, 3, host);
    assert.equal(step?.stdout, 'out\nno newline', host);
    assert.equal(step?.stderr, 'err\n', host);
    assert.equal(lockOf(run, host)?.outcome, 'taken', host);
  }
  assert.doesNotMatch(run.stdout + run.stderr, /__sls_play_lock__/);
  // the lock went with the command: the next run takes every host at once
  const next = await exec('true', ['--lock-wait', '0']);
  assert.equal(next.code, 0, next.stderr);
});
