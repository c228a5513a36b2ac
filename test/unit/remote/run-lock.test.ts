// The run lock's shell, run by a real /bin/sh on this machine (with flock, and with a PATH that has
// none): who gets the lock, what the other is told, and that a holder's end frees it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  describeHolder,
  holderLines,
  holderScript,
  lockedCommandScript,
  lockPrelude,
  lockProbeFact,
  parseRecord,
} from '../../../src/remote/run-lock.ts';
import { lockLine } from '../../../src/report/recap.ts';

let scratch: string;
/** A PATH with the tools the script uses, flock left out. */
let noFlockPath: string;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'sls-run-lock-unit-'));
  noFlockPath = join(scratch, 'bin');
  mkdirSync(noFlockPath);
  for (const tool of ['sh', 'tr', 'sed', 'date', 'find', 'mkdir', 'touch', 'mv', 'rm', 'cat', 'sleep', 'id'])
    symlinkSync(`/usr/bin/${tool}`, join(noFlockPath, tool));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

interface Holder {
  child: ChildProcess;
  out: () => string;
  /** Resolves once the holder printed `line` (or exited). */
  said: (line: string) => Promise<void>;
  exited: Promise<number | null>;
}

function hold(dir: string, run: string, waitS: number, path?: string): Holder {
  const owner = { run, by: 'alice@ci-01', since: '2026-12-07T01:30:00Z' };
  const child = spawn('/bin/sh', ['-c', holderScript(dir, owner, waitS, 'echo facts')], {
    env: { ...process.env, ...(path ? { PATH: path } : {}) },
  });
  let out = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const said = async (line: string) => {
    while (!out.includes(line)) {
      const next = new Promise<void>((resolve) => waiters.push(resolve));
      const gone = await Promise.race([next.then(() => false), exited.then(() => true)]);
      if (gone) return;
    }
  };
  return { child, out: () => out, said, exited };
}

for (const variant of ['flock', 'mkdir'] as const) {
  const path = () => (variant === 'mkdir' ? noFlockPath : undefined);

  test(`${variant}: the second holder is told who holds the host, and gets it once the first ends`, async () => {
    const dir = join(scratch, `state-${variant}`);
    const first = hold(dir, 'aaaa1111', 0, path());
    await first.said('__sls_play_lock__ ready');
    assert.match(first.out(), /__sls_play_lock__ taken\n[\s\S]*facts\n[\s\S]*__sls_play_lock__ ready/);

    const refused = hold(dir, 'bbbb2222', 0, path());
    assert.equal(await refused.exited, 0);
    const [said] = holderLines(refused.out());
    assert.deepEqual(said, {
      said: 'held',
      holder: { run: 'aaaa1111', by: 'alice@ci-01', since: '2026-12-07T01:30:00Z', pid: String(first.child.pid) },
    });

    // the probe of a read-only run sees the same, without taking anything
    const probe = lockProbeFact(dir);
    const looked = spawn('/bin/sh', ['-c', probe.command], {
      env: { ...process.env, ...(path() ? { PATH: path() } : {}) },
    });
    let text = '';
    looked.stdout.on('data', (d) => (text += d));
    await new Promise((r) => looked.on('close', r));
    assert.equal(probe.parse(text, 0, '')?.run, 'aaaa1111');

    const waiting = hold(dir, 'cccc3333', 20, path());
    await waiting.said('__sls_play_lock__ waiting');
    first.child.stdin!.end(); // the run leaves the host (or its channel dies): the holder ends
    assert.equal(await first.exited, 0);
    await waiting.said('__sls_play_lock__ ready');
    assert.deepEqual(
      holderLines(waiting.out()).map((l) => l.said),
      ['waiting', 'taken', 'ready'],
    );
    waiting.child.stdin!.end();
    await waiting.exited;
    if (variant === 'mkdir') assert.ok(!existsSync(join(dir, 'run.lock.d')), 'the mkdir lock is removed');
  });

  test(`${variant}: a holder killed with KILL does not keep the host`, async () => {
    const dir = join(scratch, `killed-${variant}`);
    const first = hold(dir, 'dddd4444', 0, path());
    await first.said('__sls_play_lock__ ready');
    first.child.kill('SIGKILL');
    await first.exited;
    const next = hold(dir, 'eeee5555', 0, path());
    await next.said('__sls_play_lock__ ready');
    assert.ok(next.out().includes('__sls_play_lock__ taken'), next.out());
    next.child.stdin!.end();
    await next.exited;
  });
}

/** A run's one command with the lock taken inside it, run by /bin/sh; stdin stays open until ended. */
function locked(dir: string, run: string, waitS: number, command: string, path?: string) {
  const owner = { run, by: 'alice@ci-01', since: '2026-12-07T01:30:00Z' };
  const child = spawn('/bin/sh', ['-c', lockedCommandScript(dir, owner, waitS, command)], {
    env: { ...process.env, ...(path ? { PATH: path } : {}) },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  // the shell itself is gone (its output may stay open: a command it left running holds it)
  const gone = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited, gone, out: () => out, err: () => err };
}

for (const variant of ['flock', 'mkdir'] as const) {
  const path = () => (variant === 'mkdir' ? noFlockPath : undefined);

  test(`${variant}: a locked command keeps its output and exit code, and holds the lock while it runs`, async () => {
    const dir = join(scratch, `command-${variant}`);
    const marker = join(scratch, `command-${variant}-go`);
    const first = locked(
      dir,
      'ffff6666',
      0,
      `echo "it's mine"; printf x; while [ ! -e ${marker} ]; do sleep 0.05; done; echo e >&2; exit 5`,
      path(),
    );
    while (!first.out().includes('x')) await new Promise((r) => setTimeout(r, 20));
    const refused = locked(dir, 'gggg7777', 0, 'echo never', path());
    assert.equal(await refused.exited, 0);
    const said = lockPrelude(refused.out());
    assert.deepEqual(
      said.says.map((l) => l.said),
      ['held'],
    );
    assert.equal(said.rest, '', 'the command did not run');
    mkdirSync(marker);
    assert.equal(await first.exited, 5);
    assert.deepEqual(lockPrelude(first.out()), { says: [{ said: 'taken' }], rest: "it's mine\nx" });
    assert.equal(first.err(), 'e\n');
    const next = locked(dir, 'hhhh8888', 0, 'true', path());
    assert.equal(await next.exited, 0);
    assert.deepEqual(
      lockPrelude(next.out()).says.map((l) => l.said),
      ['taken'],
      'the lock went with the command',
    );
  });

  test(`${variant}: the end of a locked command's input (its channel) frees the lock while the command runs on`, async () => {
    const dir = join(scratch, `cut-${variant}`);
    const marker = join(scratch, `cut-${variant}-go`);
    const first = locked(dir, 'iiii9999', 0, `while [ ! -e ${marker} ]; do sleep 0.05; done`, path());
    while (!first.out().includes('taken')) await new Promise((r) => setTimeout(r, 20));
    first.child.stdin!.end();
    await first.gone;
    const next = locked(dir, 'jjjj0000', 5, 'true', path());
    assert.equal(await next.exited, 0);
    assert.deepEqual(
      lockPrelude(next.out()).says.map((l) => l.said),
      ['taken'],
      next.out(),
    );
    mkdirSync(marker); // ends the command left running
    await first.exited;
  });
}

test('a record missing fields is still described; the recap words for each outcome', () => {
  assert.equal(
    describeHolder(parseRecord('run=ab12 by=bob@ops since=2026-12-07T00:00:00Z pid=7 ')),
    'run ab12 of bob@ops since 2026-12-07T00:00:00Z',
  );
  assert.equal(describeHolder(parseRecord('')), 'another run');
  const host = (lock: object) => ({ status: 'ok' as const, steps: [], lock }) as never;
  assert.equal(lockLine(host({ outcome: 'taken', waitedS: 0 }), true), undefined);
  assert.equal(lockLine(host({ outcome: 'taken', waitedS: 0 })), 'run lock: taken at once');
  assert.equal(
    lockLine(host({ outcome: 'taken', waitedS: 3.2, holder: 'run ab12 of bob@ops since T' }), true),
    'run lock: taken after waiting 3.2 s for run ab12 of bob@ops since T',
  );
  assert.equal(
    lockLine(host({ outcome: 'held', waitedS: 60, holder: 'run ab12' })),
    'run lock: held by run ab12; waited 60 s',
  );
  assert.equal(
    lockLine(host({ outcome: 'in-progress', waitedS: 0, holder: 'run ab12' })),
    'run lock: a run is in progress: run ab12',
  );
});

/** The holder as a user with no home (nobody: HOME=/nonexistent), through setpriv; what it printed. */
function holdAsNobody(): Promise<string> {
  const owner = { run: 'r-nobody', by: 'alice@ci-01', since: '2026-12-07T01:30:00Z' };
  const script = holderScript(undefined, owner, 0, 'echo facts');
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/bin/sh', '-c', script], {
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
    cwd: '/',
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stdin.end(); // the channel ends at once: the holder lets go
  return new Promise((resolve) => child.on('close', () => resolve(out)));
}

test('a user with no home keeps its lock in a private /tmp/sls-play-<uid>, and refuses one another user made', async () => {
  const dir = '/tmp/sls-play-65534';
  rmSync(dir, { recursive: true, force: true });
  try {
    const taken = holderLines(await holdAsNobody());
    assert.ok(
      taken.some((l) => l.said === 'taken'),
      JSON.stringify(taken),
    );
    assert.ok(existsSync(join(dir, 'run.lock')) || existsSync(join(dir, 'run.lock.d')));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o777 }); // made by root, open to all: not the user's own
    const refused = holderLines(await holdAsNobody());
    assert.deepEqual(
      refused.filter((l) => l.said === 'error').map((l) => (l as { message: string }).message),
      [`${dir} is not a private directory of this user (a link, or made by another user)`],
    );
    assert.ok(!refused.some((l) => l.said === 'taken'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
