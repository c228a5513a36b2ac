import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwedLedger } from '../../../../src/tasks/owed/ledger.ts';
import { serialiseRecord } from '../../../../src/tasks/owed/record.ts';

const RUN = { id: 'run2', startedAt: '2026-12-03T08:00:00.000Z' };
const earlier = { handler: 'restart sensor', notifiedBy: 'config', run: 'run1', at: '2026-12-03T07:12:00.000Z' };
const ledger = () => new OwedLedger('sls', ['restart sensor', 'test alert'], RUN, '/var/lib/sls-play/x.json');
const owedIn = (content: string | null | undefined) =>
  content ? (JSON.parse(content) as { owed: { handler: string }[] }).owed.map((e) => e.handler) : content;

test('no record: nothing owed, nothing to write', () => {
  const l = ledger();
  assert.deepEqual(l.load(null), []);
  assert.equal(l.pending(), undefined);
  assert.deepEqual(l.warnings, []);
});

test('owed before a change, cleared once the handler ran; the record follows each step', () => {
  const l = ledger();
  l.load(null);
  assert.deepEqual(l.owe(['restart sensor'], 'config'), ['restart sensor']);
  assert.deepEqual(owedIn(l.pending()?.content), ['restart sensor']);
  l.written();
  assert.equal(l.pending(), undefined);
  // owing it again adds nothing
  assert.deepEqual(l.owe(['restart sensor'], 'force restart'), []);
  assert.deepEqual(l.owe(['test alert'], 'restart sensor'), ['test alert']);
  l.clear(['restart sensor']);
  assert.deepEqual(owedIn(l.pending()?.content), ['test alert']);
  l.written();
  l.clear(['test alert']);
  // nothing left: the record is removed
  assert.deepEqual(l.pending(), { content: null, handlers: [] });
  l.written();
  assert.equal(l.pending(), undefined);
});

test('a record from an earlier run is honoured, and kept until its handler ran', () => {
  const l = ledger();
  const owed = l.load(serialiseRecord('sls', [earlier]));
  assert.deepEqual(owed, [earlier]);
  assert.match(l.inheritedReason('restart sensor')!, /owed since the run of 2026-12-03 07:12 UTC/);
  assert.equal(l.inheritedReason('test alert'), undefined);
  assert.equal(l.pending(), undefined, 'nothing to write while the host holds what is owed');
  // a task of this run notifying the same handler keeps the earlier entry (and its time)
  assert.deepEqual(l.owe(['restart sensor'], 'config'), []);
  assert.equal(l.pending(), undefined);
});

test('a stale handler name: one warning naming it, then cleared', () => {
  const l = ledger();
  const owed = l.load(serialiseRecord('sls', [{ ...earlier, handler: 'reload sensor' }, earlier]));
  assert.deepEqual(
    owed.map((e) => e.handler),
    ['restart sensor'],
  );
  assert.equal(l.warnings.length, 1);
  assert.match(l.warnings[0]!, /names "reload sensor", which playbook "sls" has no handler for any more: cleared/);
  assert.deepEqual(owedIn(l.pending()?.content), ['restart sensor']);
});

test('a damaged record: one warning, nothing owed, and the file is removed', () => {
  const l = ledger();
  assert.deepEqual(l.load('{"format":1,"playb'), []);
  assert.equal(l.warnings.length, 1);
  assert.match(l.warnings[0]!, /record \/var\/lib\/sls-play\/x\.json is damaged \(not JSON/);
  assert.deepEqual(l.pending(), { content: null, handlers: [] });
});

test('a command cut off while carrying the record: it is sent again', () => {
  const l = ledger();
  l.load(null);
  l.owe(['restart sensor'], 'config');
  l.written();
  l.lost();
  assert.deepEqual(owedIn(l.pending()?.content), ['restart sensor']);
});
