import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSlice, sliceOf, takeSlice } from '../../../src/runner/slice.ts';

const hosts = Array.from({ length: 1000 }, (_, i) => `web-${String(i + 1).padStart(4, '0')}.prod.example.com`);
const slices = (names: string[], n: number) =>
  Array.from({ length: n }, (_, i) => takeSlice(names, { index: i + 1, count: n }, (h) => h));

test('slices are disjoint and cover every host exactly once', () => {
  for (const n of [1, 2, 3, 7, 10]) {
    const all = slices(hosts, n).flat();
    assert.equal(all.length, hosts.length, `n=${n}`);
    assert.deepEqual(new Set(all), new Set(hosts), `n=${n}`);
  }
});

test('a host lands in the same slice whatever the order or the other hosts', () => {
  const shuffled = [...hosts].reverse().filter((_, i) => i % 3 !== 0);
  const before = slices(hosts, 5);
  const after = slices(shuffled, 5);
  for (let k = 0; k < 5; k++) {
    for (const host of after[k]!) assert.ok(before[k]!.includes(host), `${host} moved from its slice`);
  }
  assert.equal(sliceOf('web-0001.prod.example.com', 5), sliceOf('web-0001.prod.example.com', 5));
});

test('a slice keeps the original order, so --serial batches stay in inventory order', () => {
  const one = takeSlice(hosts, { index: 2, count: 3 }, (h) => h);
  assert.deepEqual(one, [...one].sort());
});

test('shares are roughly even on a big fleet', () => {
  for (const share of slices(hosts, 4)) assert.ok(share.length > 200 && share.length < 300, `share of ${share.length}`);
});

test('--slice parses k/n and refuses anything else with the reason', () => {
  assert.deepEqual(parseSlice('2/5'), { index: 2, count: 5 });
  assert.deepEqual(parseSlice('1/1'), { index: 1, count: 1 });
  for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '-1/3', ''])
    assert.throws(() => parseSlice(bad), /--slice .*expected k\/n/, bad);
});
