import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MergeError, mergeDocuments, parseRunDocument } from '../../../src/report/merge.ts';
import { documentExitCode, type RunDocument } from '../../../src/report/run-document.ts';
import { summarise } from '../../../src/runner/status.ts';
import type { HostReport } from '../../../src/runner/types.ts';

const ok: HostReport = { status: 'ok', steps: [{ name: 'command', status: 'ok', message: 'rc=0' }] };
const bad: HostReport = { status: 'failed', steps: [{ name: 'command', status: 'failed', message: 'rc=1' }] };
const selected = ['a', 'b', 'c', 'd'];
const part = (
  index: number,
  hosts: Record<string, HostReport>,
  extra: Partial<RunDocument> = {},
): { file: string; doc: RunDocument } => ({
  file: `slice-${index}.json`,
  doc: { hosts, summary: summarise(hosts), slice: { index, count: 3, selected }, ...extra },
});

test('slices merge into one document in inventory order, with the summary of the whole run', () => {
  const merged = mergeDocuments([part(3, { d: ok }), part(1, { c: ok, a: ok }), part(2, { b: bad })]);
  assert.deepEqual(Object.keys(merged.hosts), selected);
  assert.deepEqual(merged.summary, { ok: 3, changed: 0, failed: 1, unreachable: 0, skipped: 0 });
  assert.equal(merged.slice, undefined);
  assert.equal(documentExitCode(merged), 2);
});

test('the exit status is the whole run’s: interrupted in any slice is 99, drift is 2', () => {
  assert.equal(
    documentExitCode(mergeDocuments([part(1, { a: ok, c: ok }), part(2, { b: ok }), part(3, { d: ok })])),
    0,
  );
  assert.equal(
    documentExitCode(
      mergeDocuments([part(1, { a: ok, c: ok }, { interrupted: true }), part(2, { b: bad }), part(3, { d: ok })]),
    ),
    99,
  );
  assert.equal(
    documentExitCode(
      mergeDocuments([
        part(1, { a: ok, c: ok }),
        part(2, { b: ok }, { drift: { b: 'service inactive' } }),
        part(3, { d: ok }),
      ]),
    ),
    2,
  );
});

test('a missing slice, a slice given twice, or a slice of another run is refused with the reason', () => {
  assert.throws(() => mergeDocuments([part(1, { a: ok, c: ok }), part(3, { d: ok })]), /slice 2\/3 missing/);
  assert.throws(
    () => mergeDocuments([part(1, { a: ok, c: ok }), part(1, {}), part(2, { b: ok }), part(3, { d: ok })]),
    /slice 1\/3 given twice/,
  );
  const other = part(2, { b: ok });
  other.doc.slice!.selected = ['b', 'x'];
  assert.throws(() => mergeDocuments([part(1, { a: ok, c: ok }), other, part(3, { d: ok })]), /from another run/);
  assert.throws(
    () => mergeDocuments([part(1, { a: ok, c: ok }), part(2, { b: ok, a: ok }), part(3, { d: ok })]),
    /host a is in both slice-1.json and slice-2.json/,
  );
  assert.throws(() => mergeDocuments([]), MergeError);
});

test('documents without slices merge in the order given', () => {
  const merged = mergeDocuments([
    { file: 'x', doc: { hosts: { z: ok }, summary: summarise({ z: ok }) } },
    { file: 'y', doc: { hosts: { a: bad }, summary: summarise({ a: bad }) } },
  ]);
  assert.deepEqual(Object.keys(merged.hosts), ['z', 'a']);
});

test('a file that is not a run document is refused', () => {
  assert.throws(() => parseRunDocument('nope', 'f.json'), /f.json: not JSON/);
  assert.throws(() => parseRunDocument('{"x":1}', 'f.json'), /no "hosts" object/);
  assert.throws(
    () => parseRunDocument('{"hosts":{"a":{"status":"great","steps":[]}}}', 'f.json'),
    /host a has no valid status/,
  );
});

test('a host that the run did not select is refused, not dropped', () => {
  assert.throws(
    () => mergeDocuments([part(1, { a: ok, c: ok, z: ok }), part(2, { b: ok }), part(3, { d: ok })]),
    /host z \(in slice-1.json\) was not among the hosts the run selected/,
  );
});
