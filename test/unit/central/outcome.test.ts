import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastAlertSteps } from '../../../src/central/last-alert.ts';
import { CENTRAL_STEP, centralStep, hostsToWatch, mergeSteps } from '../../../src/central/outcome.ts';
import type { WaitResult } from '../../../src/central/poller.ts';
import { exitCodeFor } from '../../../src/runner/status.ts';
import type { RunReport } from '../../../src/runner/types.ts';

const T0 = Date.parse('2026-12-02T06:00:00Z');
const report: RunReport = {
  hosts: {
    a: { status: 'ok', steps: [{ name: 'test alert', status: 'ok', message: 'seen in the journal' }] },
    b: { status: 'ok', steps: [{ name: 'test alert', status: 'ok', message: 'sent' }] },
    c: { status: 'changed', steps: [{ name: 'config', status: 'ok', message: 'unchanged' }] },
    d: { status: 'failed', steps: [{ name: 'test alert', status: 'failed', message: 'sensor stopped' }] },
    e: { status: 'unreachable', steps: [{ name: 'connect', status: 'unreachable', message: 'refused' }] },
  },
  summary: { ok: 2, changed: 1, failed: 1, unreachable: 1, skipped: 0 },
};
const match = {
  id: 'det-1',
  time: new Date(T0 + 90_000).toISOString(),
  rule: 'SLS runtime detection',
  hostField: 'device.entity',
  alertField: 'rawData.strategy_name',
};

test('only hosts whose test alert ran and passed are watched, with their addresses', () => {
  const watched = hostsToWatch(report, T0, (h) => (h === 'a' ? ['10.0.0.1'] : []));
  assert.deepEqual(watched, [
    { name: 'a', addresses: ['10.0.0.1'], since: T0 },
    { name: 'b', addresses: [], since: T0 },
  ]);
});

/** The wait's answer when host a's alert was seen and host b's was not. */
const aSeenBWaiting = (end: Pick<WaitResult, 'polls' | 'interrupted'>): WaitResult => ({
  states: new Map([
    ['a', { state: 'seen', match, seenAt: T0 }],
    ['b', { state: 'waiting' }],
  ]),
  ...end,
});

test('seen: ok with time and rule (and the record in facts); not seen: failed with what to check; exit 2', () => {
  const result = aSeenBWaiting({ polls: 3, interrupted: false });
  const steps = new Map(['a', 'b'].map((h) => [h, centralStep(h, result, 0.2)]));
  assert.equal(steps.get('a')!.status, 'ok');
  assert.match(
    steps.get('a')!.message,
    /^"Alert Tester" seen in Sophos Central at \d\d:\d\d:\d\d \(rule: SLS runtime detection\)$/,
  );
  assert.deepEqual(steps.get('a')!.facts, { central: { seen: true, ...match } });
  assert.equal(steps.get('b')!.status, 'failed');
  assert.match(
    steps.get('b')!.message,
    /not seen in Sophos Central within 0\.2 min: check the XDR or MDR licence, the mcs URL or region .*SLS_API_KEY.*journalctl -u sophoslinuxsensor/,
  );
  const merged = mergeSteps(report, steps, false);
  assert.equal(merged.hosts.a!.status, 'ok');
  assert.equal(merged.hosts.b!.status, 'failed');
  assert.equal(merged.hosts.b!.steps.at(-1)!.name, CENTRAL_STEP);
  assert.deepEqual(merged.hosts.c, report.hosts.c, 'hosts not watched are left as they were');
  assert.deepEqual(merged.summary, { ok: 1, changed: 1, failed: 2, unreachable: 1, skipped: 0 });
  assert.equal(exitCodeFor(merged.summary, merged.interrupted), 2);
});

test('interrupted: unseen hosts are "not confirmed" (skipped), the report is interrupted (exit 99)', () => {
  const result = aSeenBWaiting({ polls: 1, interrupted: true });
  const merged = mergeSteps(report, new Map(['a', 'b'].map((h) => [h, centralStep(h, result, 25)])), true);
  assert.equal(merged.hosts.b!.steps.at(-1)!.status, 'skipped');
  assert.equal(merged.hosts.b!.status, 'ok');
  assert.equal(merged.interrupted, true);
  assert.equal(exitCodeFor(merged.summary, merged.interrupted), 99);
});

test('a fatal error fails every unseen host with its message, and the last poll error is named', () => {
  const fatal: WaitResult = {
    states: new Map([['a', { state: 'waiting' }]]),
    polls: 1,
    fatal: 'Sophos Central refused the detections query (403 Access is denied): …',
    interrupted: false,
  };
  assert.match(centralStep('a', fatal, 25).message, /^Sophos Central refused/);
  const flaky: WaitResult = {
    states: new Map([['a', { state: 'waiting' }]]),
    polls: 4,
    lastError: 'the detections query run r9 ended "failed"',
    interrupted: false,
  };
  assert.match(
    centralStep('a', flaky, 25).message,
    /within 25 min \(the last poll failed: the detections query run r9 ended "failed"\)/,
  );
});

test("status --central: each host's last test alert of the day, or none, never a failure", () => {
  const records = [
    { id: 'x', time: match.time, detectionRule: 'R', device: { entity: 'a' }, rawData: { n: 'Alert Tester' } },
  ];
  const steps = lastAlertSteps(records, [
    { name: 'a', addresses: [], since: T0 - 86_400_000 },
    { name: 'e', addresses: [], since: T0 - 86_400_000 },
  ]);
  assert.match(steps.get('a')!.message, /^last "Alert Tester" in Sophos Central at 2026-12-02T06:01:30.000Z .*rule: R/);
  assert.equal(steps.get('e')!.message, 'no "Alert Tester" in Sophos Central in the last day');
  const merged = mergeSteps(report, steps, false);
  assert.equal(merged.hosts.e!.status, 'unreachable');
  assert.equal((merged.hosts.a!.facts!.centralLastTestAlert as { id: string }).id, 'x');
  assert.equal(merged.hosts.e!.facts!.centralLastTestAlert, null);
});
