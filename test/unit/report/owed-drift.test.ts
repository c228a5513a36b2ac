// What a run says of owed handlers and drift, in the recap, JUnit and the one-line host summary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostSummary } from '../../../src/report/details.ts';
import { junitXml } from '../../../src/report/junit.ts';
import { recapText } from '../../../src/report/recap.ts';
import type { RunReport } from '../../../src/runner/types.ts';

const owedAt = { handler: 'restart sensor', notifiedBy: 'config', run: 'r1', at: '2026-12-03T07:12:00.000Z' };
const report: RunReport = {
  hosts: {
    'web-01': {
      status: 'changed',
      steps: [{ name: 'restart sensor', status: 'changed', message: 'restarted' }],
      owedAtStart: [owedAt],
    },
    'web-02': {
      status: 'failed',
      steps: [{ name: 'later check', status: 'failed', message: 'boom' }],
      stillOwed: ['restart sensor', 'test alert'],
    },
    'legacy-01': {
      status: 'ok',
      steps: [{ name: 'status', status: 'ok', message: 'sensor 5.4', drift: ['sensor 5.4.1.3 is too old'] }],
      drift: ['sensor 5.4.1.3 is too old'],
    },
    'web-03': { status: 'ok', steps: [{ name: 'status', status: 'ok', message: 'fine' }] },
  },
  summary: { ok: 2, changed: 1, failed: 1, unreachable: 0, skipped: 0 },
};

test('the recap names what a host owed from an earlier run and what it still owes, and drift', () => {
  const recap = recapText(report);
  assert.match(
    recap,
    /^web-01 +: changed .*\n +owed from an earlier run: restart sensor \(since 2026-12-03 07:12 UTC\)$/m,
  );
  assert.match(
    recap,
    /^web-02 +: failed .*\n +still owed: restart sensor, test alert \(recorded on the host; the next run runs them\)$/m,
  );
  assert.match(recap, /^legacy-01 +: drift /m);
  assert.match(recap, /4 hosts: 2 ok \(1 with drift\), 1 changed, 1 failed/);
});

test('the host line says drift with its reasons, and counts steps in good English', () => {
  assert.equal(hostSummary('legacy-01', report.hosts['legacy-01']!), 'legacy-01  drift  sensor 5.4.1.3 is too old');
  assert.equal(hostSummary('web-03', report.hosts['web-03']!), 'web-03  ok  1 step ok');
});

test("JUnit carries the owed handlers in the host's output", () => {
  const xml = junitXml(report, { name: 'sls-play deploy' });
  assert.match(xml, /owed from an earlier run: restart sensor \(since 2026-12-03 07:12 UTC\)/);
  assert.match(xml, /still owed: restart sensor, test alert/);
});
