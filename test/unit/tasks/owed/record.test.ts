import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  owedReason,
  parseRecord,
  recordFileName,
  serialiseRecord,
  type OwedEntry,
} from '../../../../src/tasks/owed/record.ts';

const entry: OwedEntry = {
  handler: 'restart sensor',
  notifiedBy: 'config',
  run: 'a1b2c3d4',
  at: '2026-12-03T07:12:41.000Z',
};

test('a record file name is stable, readable and distinct per playbook', () => {
  const name = recordFileName('SLS alert export to Sophos Central');
  assert.match(name, /^owed-handlers\.sls-alert-export-to-sophos-central\.[0-9a-f]{8}\.json$/);
  assert.equal(recordFileName('SLS alert export to Sophos Central'), name);
  // names that slug alike still get their own file
  assert.notEqual(recordFileName('motd!'), recordFileName('motd?'));
  assert.match(recordFileName('$(rm -rf /) ../..'), /^owed-handlers\.rm-rf\.[0-9a-f]{8}\.json$/);
  assert.match(recordFileName('***'), /^owed-handlers\.playbook\.[0-9a-f]{8}\.json$/);
});

test('a record survives the round trip and holds only names, a run id and a time', () => {
  const text = serialiseRecord('motd', [entry]);
  assert.ok(text.endsWith('\n'));
  assert.deepEqual(JSON.parse(text), { format: 1, playbook: 'motd', owed: [entry] });
  assert.deepEqual(parseRecord(text), { ok: true, record: { format: 1, playbook: 'motd', owed: [entry] } });
});

test('a damaged record is a problem in words, never a throw', () => {
  for (const [text, problem] of [
    ['{"format":1,"playbook":"m","owed":[', /^not JSON/],
    ['', /^not JSON/],
    ['null', /format 1/],
    ['{"format":2,"playbook":"m","owed":[]}', /format 1/],
    ['{"format":1,"owed":[]}', /malformed/],
    ['{"format":1,"playbook":"m","owed":[{"handler":"x"}]}', /malformed/],
    ['{"format":1,"playbook":"m","owed":{}}', /malformed/],
  ] as const) {
    const parsed = parseRecord(text);
    assert.equal(parsed.ok, false, text);
    if (!parsed.ok) assert.match(parsed.problem, problem, text);
  }
});

test('why an owed handler runs, in words', () => {
  assert.equal(
    owedReason(entry),
    'owed since the run of 2026-12-03 07:12 UTC (notified by "config"), which ended before its handlers ran',
  );
});
