import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSerial, splitBatches } from '../../../src/runner/batches.ts';

const hosts = Array.from({ length: 10 }, (_, i) => `h${i + 1}`);
const sizes = (serial: string | undefined) =>
  splitBatches(hosts, serial ? parseSerial(serial) : undefined).map((b) => b.length);

test('no serial is one batch of every host', () => assert.deepEqual(sizes(undefined), [10]));
test('a count makes equal batches, the last one shorter', () => assert.deepEqual(sizes('3'), [3, 3, 3, 1]));
test('a percentage is of all hosts, rounded down, at least 1', () => {
  assert.deepEqual(sizes('25%'), [2, 2, 2, 2, 2]);
  assert.deepEqual(sizes('1%'), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
});
test('a list is canary then wider; the last entry repeats', () => assert.deepEqual(sizes('1,3,50%'), [1, 3, 5, 1]));
test('batches keep inventory order', () =>
  assert.deepEqual(splitBatches(hosts, parseSerial('4'))[1], ['h5', 'h6', 'h7', 'h8']));
test('bad serial values are refused with the reason', () => {
  assert.throws(() => parseSerial('0'), /"0" is not a positive number/);
  assert.throws(() => parseSerial('1,x'), /"x"/);
  assert.throws(() => parseSerial('-5%'), /"-5%"/);
});
