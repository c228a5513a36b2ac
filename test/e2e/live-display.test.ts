// The big-fleet display in a real terminal: tmux gives a pty of 80×24, a synthetic run of 200
// hosts drives the reporter the CLI would choose (no SSH needed for what is on the screen), and
// the test reads the screen back with `tmux capture-pane`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.ts';

const SOCKET = `sls-display-${process.pid}`;
const scratch = mkdtempSync(join(tmpdir(), 'sls-display-'));
const tmux = (...args: string[]) =>
  execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', ...args], { encoding: 'utf8' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

after(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** Starts the synthetic run in a detached 80×24 pane; `setup` runs first in the pane's shell. */
function start(session: string, hold: string, setup = '', hosts = 200): void {
  writeFileSync(hold, '');
  const command = `${setup}${process.execPath} --import tsx test/helpers/synthetic-run.ts ${hosts} ${hold}; sleep 120`;
  tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '24', '-c', REPO, command);
}

const screen = (session: string) => tmux('capture-pane', '-p', '-t', session).replace(/\n+$/, '').split('\n');
const history = (session: string) => tmux('capture-pane', '-p', '-S', '-', '-t', session);

async function waitFor(session: string, what: RegExp, fromHistory = false): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = fromHistory ? history(session) : screen(session).join('\n');
    if (what.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what} on the screen:\n${text}`);
    await sleep(100);
  }
}

const SUMMARY =
  /^(\d+)\/200 done, (\d+) changed, (\d+) failed, (\d+) unreachable, (\d+) running, \d+:\d\d( elapsed)?, (ETA \d+:\d\d|done)$/;

function assertMidRun(lines: string[]): void {
  assert.ok(lines.length <= 24, `${lines.length} rows`);
  for (const line of lines) assert.ok(line.length <= 80, `wider than 80: ${line}`);
  const summary = lines.at(-1)!;
  const m = SUMMARY.exec(summary);
  assert.ok(m, `the last line is the summary: ${summary}\n${lines.join('\n')}`);
  assert.deepEqual([m[1], m[4], m[5]], ['100', '1', '20'], summary);
  // running hosts, then a count of those that do not fit, then the failed ones
  const running = lines.filter((l) => /^ {2}h-1\d\d {2}config…$/.test(l));
  assert.ok(running.length >= 10, `running hosts listed:\n${lines.join('\n')}`);
  const more = lines.find((l) => /^ {2}… \d+ more running/.test(l));
  assert.ok(more, `a count of the running hosts not shown:\n${lines.join('\n')}`);
  assert.equal(running.length + Number(/(\d+) more running/.exec(more)![1]), 20);
  const failed = lines.filter((l) => /^h-\d{3} {2}(failed|unreachable) {2}/.test(l));
  assert.ok(
    failed.some((l) => /^h-013 {2}unreachable {2}connect: connection refused/.test(l)) || failed.length >= 3,
    `failed hosts listed:\n${lines.join('\n')}`,
  );
  // finished hosts only scroll above: none of them sits in the live area
  const liveStart = lines.findIndex((l) => l.startsWith('  h-'));
  assert.ok(liveStart >= 0);
  assert.ok(
    lines.slice(liveStart).every((l) => !/ {2}changed {2}/.test(l)),
    lines.join('\n'),
  );
}

test('200 hosts on an 80×24 terminal: running and failed hosts, the summary always last; finished hosts scroll above', async () => {
  const hold = join(scratch, 'hold-1');
  start('wide', hold);
  assertMidRun(await waitFor('wide', /100\/200 done, .* 20 running/).then(() => screen('wide')));
  rmSync(hold);
  const all = await waitFor('wide', /SYNTHETIC RUN DONE/, true);
  assert.match(all, /^200\/200 done, 190 changed, 9 failed, 1 unreachable, 0 running, \d+:\d\d( elapsed)?, done$/m);
  assert.match(all, /^h-050 {2}changed {2}config: mcs output added$/m, 'a finished host scrolled as one line');
  assert.match(all, /^200 hosts: 0 ok, 190 changed, 9 failed, 1 unreachable, 0 skipped$/m);
});

test('a pty reporting 0 columns is drawn 80 wide, not one character per line', async () => {
  const hold = join(scratch, 'hold-2');
  start('zero', hold, 'stty cols 0 rows 0; ');
  const text = await waitFor('zero', /100\/200 done, .* 20 running/);
  const summary = text.split('\n').find((l) => /^\d+\/200 done/.test(l));
  assert.ok(summary && SUMMARY.test(summary), text);
  assert.ok(!text.split('\n').some((l) => l.length === 1), text);
  rmSync(hold);
  await waitFor('zero', /SYNTHETIC RUN DONE/, true);
});

test('a fleet that fits on the screen keeps one row per host, also on a pty reporting 0 columns', async () => {
  const hold = join(scratch, 'hold-3');
  start('small', hold, 'stty cols 0 rows 0; ', 10);
  const text = await waitFor('small', /h-006 {2}config…/);
  const rows = text.split('\n').filter((l) => /h-0(0[1-9]|10) /.test(l));
  assert.equal(rows.length, 10, text);
  assert.ok(!text.split('\n').some((l) => l.trim().length === 1), text);
  rmSync(hold);
  await waitFor('small', /SYNTHETIC RUN DONE/, true);
});
