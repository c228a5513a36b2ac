// The lanes of `npm test`: the heavy end-to-end files never share a time slot, and every file runs once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script, no declarations
import { planLanes } from '../../../scripts/run-tests.mjs';

type Lane = { files: string[]; seconds: number };
const HEAVY = ['test/e2e/html-report.test.ts', 'test/e2e/interrupt.test.ts', 'test/e2e/scale.test.ts'];
const FILES = [
  ...HEAVY,
  ...Array.from({ length: 12 }, (_, i) => `test/e2e/light-${i}.test.ts`),
  ...Array.from({ length: 40 }, (_, i) => `test/unit/u-${i}.test.ts`),
].sort();

test('the heavy files all run in the first lane, so no two of them run at once', () => {
  const lanes = planLanes(FILES, 2) as Lane[];
  assert.equal(lanes.length, 2);
  for (const heavy of HEAVY) assert.ok(lanes[0]!.files.includes(heavy), heavy);
  for (const lane of lanes.slice(1))
    assert.deepEqual(
      lane.files.filter((f) => HEAVY.includes(f)),
      [],
    );
});

test('every file runs exactly once, whatever the number of lanes', () => {
  for (const count of [1, 2, 3, 80]) {
    const lanes = planLanes(FILES, count) as Lane[];
    assert.deepEqual(lanes.flatMap((l) => l.files).sort(), FILES, `${count} lane(s)`);
  }
});

test('two lanes end within one e2e file (25 s) of each other', () => {
  const [a, b] = planLanes(FILES, 2) as Lane[];
  assert.ok(Math.abs(a!.seconds - b!.seconds) <= 25, `${a!.seconds} s and ${b!.seconds} s`);
});

test('one lane keeps every file, heavy ones first', () => {
  const [lane] = planLanes(FILES, 1) as Lane[];
  assert.deepEqual(lane!.files.slice(0, HEAVY.length), HEAVY);
});
