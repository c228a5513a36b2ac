import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit, liveLines, screenSize, summaryLine } from '../../../src/report/fleet-render.ts';
import { hostFinished, hostStarted, newFleetState, stepStarted } from '../../../src/report/fleet-state.ts';

function fleet(total: number, done: number, running: number, failed: number) {
  const state = newFleetState(total, 0);
  for (let i = 0; i < done; i++) {
    const status = i < failed ? 'failed' : 'changed';
    hostFinished(state, `d-${i}`, { status, steps: [] }, `d-${i}  ${status}  why`);
  }
  for (let i = 0; i < running; i++) {
    hostStarted(state, `r-${i}`);
    stepStarted(state, `r-${i}`, 'config');
  }
  return state;
}

test('a pty reporting 0 columns or rows gets 80×24', () => {
  assert.deepEqual(screenSize({ columns: 0, rows: 0 }), { columns: 80, rows: 24 });
  assert.deepEqual(screenSize({}), { columns: 80, rows: 24 });
  assert.deepEqual(screenSize({ columns: 132, rows: 50 }), { columns: 132, rows: 50 });
});

test('the summary line: done/total, changed, failed, unreachable, running, elapsed, ETA from the pace so far', () => {
  const state = fleet(200, 50, 20, 2);
  assert.equal(
    summaryLine(state, 30_000, 120),
    '50/200 done, 48 changed, 2 failed, 0 unreachable, 20 running, 0:30 elapsed, ETA 1:30',
  );
  assert.equal(
    summaryLine(fleet(10, 0, 3, 0), 1_000, 120),
    '0/10 done, 0 changed, 0 failed, 0 unreachable, 3 running, 0:01 elapsed, ETA --:--',
  );
  assert.match(summaryLine(fleet(2, 2, 0, 0), 3_723_000, 120), /1:02:03 elapsed, done$/);
});

test('the summary line never wraps: shorter wordings on narrow screens', () => {
  const state = fleet(1000, 500, 200, 100);
  for (const columns of [120, 80, 60, 40, 10])
    assert.ok(
      summaryLine(state, 65_000, columns).length < columns,
      `${columns}: ${summaryLine(state, 65_000, columns)}`,
    );
  assert.equal(summaryLine(state, 65_000, 80), '500/1000 done chg 400 fail 100 unr 0 run 200 1:05 ETA 1:05');
});

test('the live area fits the screen: running hosts, a count of the rest, the failed ones, the summary last', () => {
  const lines = liveLines(fleet(200, 100, 30, 8), { columns: 80, rows: 24 }, 10_000);
  assert.equal(lines.length, 23);
  assert.match(lines.at(-1)!, /^100\/200 done/);
  assert.equal(lines.filter((l) => /^ {2}r-\d+ {2}config…$/.test(l)).length, 13);
  assert.ok(lines.includes('  … 17 more running'));
  assert.equal(lines.filter((l) => / failed {2}why$/.test(l)).length, 8);
});

test('a small fleet shows every running and failed host, no count', () => {
  const lines = liveLines(fleet(10, 3, 4, 1), { columns: 80, rows: 24 }, 0);
  assert.equal(lines.length, 4 + 1 + 1);
  assert.ok(!lines.some((l) => l.includes('more running')));
});

test('long lines are cut to the width with an ellipsis', () => {
  assert.equal(fit('x'.repeat(100), 80).length, 79);
  assert.equal(fit('short', 80), 'short');
});
