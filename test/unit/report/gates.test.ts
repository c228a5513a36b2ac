// Each batch's Sophos Central gate in the recap and in JUnit (a second suite, one testcase per batch).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gateProgressLine, hostGateTitle, timeLeft } from '../../../src/report/gate-lines.ts';
import { junitXml } from '../../../src/report/junit.ts';
import { recapText } from '../../../src/report/recap.ts';
import type { RunDocument } from '../../../src/report/run-document.ts';
import type { BatchGate } from '../../../src/runner/types.ts';
import { validateJunit } from '../../helpers/xmllint.ts';

const gate = (batch: number, outcome: BatchGate['outcome'], notSeen: string[], seconds: number): BatchGate => ({
  batch,
  hosts: [`web-0${batch}`, ...notSeen],
  seen: [`web-0${batch}`],
  notSeen,
  outcome,
  startedAt: '2026-12-07T01:00:00.000Z',
  finishedAt: '2026-12-07T01:25:00.000Z',
  seconds,
  polls: 3,
  message:
    outcome === 'passed'
      ? '1 of 1 seen in Sophos Central after 3 poll(s)'
      : `1 of 2 seen in Sophos Central within 25 min; not seen: ${notSeen.join(', ')}`,
});

const doc: RunDocument = {
  hosts: {
    'web-01': { status: 'changed', steps: [{ name: 'Sophos Central', status: 'ok', message: 'seen' }] },
    'web-02': { status: 'failed', steps: [{ name: 'Sophos Central', status: 'failed', message: 'not seen' }] },
    'web-09': {
      status: 'skipped',
      steps: [],
      reason: 'not started: 1 of 2 hosts of batch 2 not seen in Sophos Central',
    },
  },
  summary: { ok: 0, changed: 1, failed: 1, unreachable: 0, skipped: 1 },
  gates: [gate(1, 'passed', [], 12.25), gate(2, 'failed', ['web-03'], 1500)],
};

test('the recap lists each gate: outcome, how long it waited, what was not seen', () => {
  const text = recapText(doc);
  assert.match(
    text,
    /\nSOPHOS CENTRAL GATES\nbatch 1 +passed +waited 12\.3 s +1 of 1 seen in Sophos Central after 3 poll\(s\)\nbatch 2 +failed +waited 25\.0 min +1 of 2 seen in Sophos Central within 25 min; not seen: web-03\n/,
  );
});

test('JUnit: a gates suite with a failure for the batch whose host was not seen; the file validates', () => {
  const xml = junitXml(doc, { name: 'sls-play deploy', seconds: 1600 });
  assert.match(xml, /<testsuites name="sls-play deploy" time="1600\.000" tests="5" failures="2" errors="0">/);
  assert.match(
    xml,
    /<testsuite name="sls-play deploy Sophos Central gates" tests="2" failures="1" errors="0" skipped="0" time="1512\.250">/,
  );
  assert.match(
    xml,
    /<testcase name="batch 1" classname="sls-play\.deploy\.gates" time="12\.250">\n +<system-out>passed: /,
  );
  assert.match(
    xml,
    /<testcase name="batch 2" classname="sls-play\.deploy\.gates" time="1500\.000">\n +<failure type="not seen in Sophos Central" message="1 of 2 seen in Sophos Central within 25 min; not seen: web-03">web-03<\/failure>/,
  );
  const valid = validateJunit(xml);
  assert.ok(valid.ok, `${valid.output}\n${xml}`);
});

test('live words: time left, a poll, a waiting and a seen host', () => {
  assert.equal(timeLeft(23 * 60_000 + 40_000), '23:40');
  assert.equal(timeLeft(3_725_000), '1:02:05');
  const p = { batch: 2, seen: ['web-02'], waiting: ['web-03'], deadline: 1_000_000 + 90_000, poll: 4 };
  assert.equal(gateProgressLine(p, 1_000_000), 'gate: batch 2: poll 4: 1 of 2 seen, waiting for web-03, 1:30 left');
  assert.equal(
    hostGateTitle('web-03', p, 1_000_000),
    'web-03  Sophos Central: waiting (batch 2: 1 of 2 seen, 1:30 left)',
  );
  assert.equal(hostGateTitle('web-02', p, 1_000_000), 'web-02  Sophos Central: seen (batch 2: 1 of 2)');
});
