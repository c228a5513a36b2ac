// The lanes of `npm test`: every file runs once, the heavy end-to-end files never meet, and a free
// lane takes the next file at once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script, no declarations
import { plan, runLanes } from '../../../scripts/run-tests.mjs';

type Ran = { file: string; lane: number; start: number; end: number };
const HEAVY = ['test/e2e/html-report.test.ts', 'test/e2e/interrupt.test.ts', 'test/e2e/scale.test.ts'];
const FILES = [
  ...HEAVY,
  ...Array.from({ length: 8 }, (_, i) => `test/e2e/light-${i}.test.ts`),
  ...Array.from({ length: 12 }, (_, i) => `test/unit/u-${i}.test.ts`),
].sort();

/** Runs the lanes with files that take `ms(file)` each; what ran where and when. */
async function simulate(lanes: number, ms: (file: string) => number): Promise<{ ran: Ran[]; results: unknown[] }> {
  const ran: Ran[] = [];
  const t0 = Date.now();
  const results = await runLanes(FILES, lanes, async (file: string, lane: number) => {
    const start = Date.now() - t0;
    await sleep(ms(file));
    ran.push({ file, lane, start, end: Date.now() - t0 });
    return file;
  });
  return { ran, results };
}

test('every file runs exactly once, and the results come back in file order', async () => {
  for (const lanes of [1, 2, 3]) {
    const { ran, results } = await simulate(lanes, () => 1);
    assert.deepEqual(ran.map((r) => r.file).sort(), FILES, `${lanes} lane(s)`);
    assert.deepEqual(results, FILES);
  }
});

test('the heavy files all run in lane 1, one after another, so no two of them meet', async () => {
  const { ran } = await simulate(2, (file) => (HEAVY.includes(file) ? 15 : 5));
  const heavy = ran.filter((r) => HEAVY.includes(r.file));
  assert.deepEqual(
    heavy.map((r) => r.lane),
    HEAVY.map(() => 0),
  );
  for (let i = 1; i < heavy.length; i++) assert.ok(heavy[i]!.start >= heavy[i - 1]!.end, 'one after another');
});

test('the queue is longest first, and a free lane takes the next file: lane 2 does the light work meanwhile', async () => {
  const { queue } = plan(FILES) as { queue: string[] };
  assert.deepEqual(queue.slice(0, 8), [...FILES.filter((f) => f.includes('light-'))], 'e2e (25 s) before unit (1 s)');
  const { ran } = await simulate(2, (file) => (HEAVY.includes(file) ? 60 : 3));
  const lane2 = ran.filter((r) => r.lane === 1).length;
  assert.ok(lane2 >= 15, `lane 2 ran ${lane2} of the 20 light files while lane 1 ran the heavy ones`);
});

test('once stopped (Ctrl-C), no file starts; the files that ran are what comes back', async () => {
  let started = 0;
  const results = await runLanes(
    FILES,
    2,
    async (file: string) => {
      started++;
      await sleep(2);
      return file;
    },
    () => started >= 4,
  );
  assert.equal(started, 4);
  assert.equal(results.length, 4);
});
