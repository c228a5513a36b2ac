// The HTML report's data and page, without a browser (test/e2e/html-report.test.ts opens real
// reports in Chromium): what the page is given, how it is kept from breaking out of its script
// block, its Content-Security-Policy, and secrets.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { pageData } from '../../../src/report/html/data.ts';
import { htmlReport, scriptSafeJson } from '../../../src/report/html/report.ts';
import type { RunDocument } from '../../../src/report/run-document.ts';
import { mergedRunInfo, withTiming } from '../../../src/report/run-timing.ts';
import { registerSecret } from '../../../src/report/secrets.ts';
import { runRecorder } from '../../../src/report/timing.ts';
import { summarise } from '../../../src/runner/status.ts';
import type { HostReport } from '../../../src/runner/types.ts';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function doc(hosts: Record<string, HostReport>, extra: Partial<RunDocument> = {}): RunDocument {
  return { hosts, summary: summarise(hosts), ...extra };
}

const web: HostReport = {
  status: 'changed',
  steps: [
    {
      name: 'config',
      status: 'changed',
      message: 'mcs output added',
      diff: '--- a\n+++ b\n+x',
      startedAt: at(100),
      seconds: 0.4,
    } as HostReport['steps'][number],
    {
      name: 'restart',
      status: 'changed',
      message: 'restarted',
      startedAt: at(500),
      seconds: 1.5,
    } as HostReport['steps'][number],
  ],
  startedAt: at(50),
  finishedAt: at(2100),
} as HostReport;

test('page data: times as ms from the run start, each text once in the string table, the failing step pointed at', () => {
  const failed: HostReport = {
    status: 'failed',
    steps: [
      { name: 'config', status: 'failed', message: 'mcs output added' },
      { name: 'restart', status: 'skipped', message: '' },
    ],
  };
  const data = pageData(
    doc(
      { 'web-01': web, 'db-01': failed },
      {
        run: {
          command: 'deploy',
          playbook: 'p.ts',
          startedAt: at(0),
          finishedAt: at(3000),
          seconds: 3,
          user: 'ops',
          controller: 'ci-7',
        },
      },
    ),
    '1.2.3',
  );
  assert.equal(data.title, 'sls-play deploy');
  assert.equal(data.t0, T0);
  assert.equal(data.span, 3000);
  const [w, d] = data.hosts;
  assert.deepEqual([w!.a, w!.b, w!.st[0]!.a, w!.st[0]!.b, w!.st[1]!.a, w!.st[1]!.b], [50, 2100, 100, 500, 500, 2000]);
  assert.equal(
    data.S.filter((s) => s === 'mcs output added').length,
    1,
    'a message repeated across hosts is stored once',
  );
  assert.equal(data.S[w!.st[0]!.d!], '--- a\n+++ b\n+x');
  assert.equal(d!.f, 0);
  assert.equal(w!.f, undefined);
  assert.deepEqual(Object.fromEntries(data.meta), {
    playbook: 'p.ts',
    'ran by': 'ops on ci-7',
    started: '2026-05-01 10:00:00 UTC',
    finished: '2026-05-01 10:00:03 UTC',
    duration: '3.0 s',
    'sls-play': '1.2.3',
  });
  assert.deepEqual(data.exit, { code: 2, meaning: 'one or more hosts failed' });
});

test('page data: the Central outcome, the drift reason, facts and any host field the page does not know', () => {
  const host = {
    status: 'ok',
    steps: [
      { name: 'Sophos Central', status: 'ok', message: '"Alert Tester" seen in Sophos Central at 10:00:05 (rule: R1)' },
    ],
    facts: {
      sensorVersion: '5.10.0.3',
      certPairs: [1, 2],
      central: { seen: true, time: '2026-05-01T10:00:05Z', rule: 'R1', id: 'rec-9' },
    },
    owed: { handlers: ['restart sensor'], since: '2026-04-30T08:00:00Z' },
  } as unknown as HostReport;
  const data = pageData(doc({ h: host }, { drift: { h: 'service not active' } }), '0.1.0');
  const h = data.hosts[0]!;
  assert.deepEqual(h.c, {
    seen: true,
    at: '2026-05-01T10:00:05Z',
    rule: 'R1',
    id: 'rec-9',
    message: '"Alert Tester" seen in Sophos Central at 10:00:05 (rule: R1)',
  });
  assert.equal(h.dr, 'service not active');
  assert.deepEqual(h.fx, [
    ['sensorVersion', '5.10.0.3'],
    ['certPairs', '[1,2]'],
  ]);
  assert.deepEqual(h.kv, [['owed', '{"handlers":["restart sensor"],"since":"2026-04-30T08:00:00Z"}']]);
  assert.deepEqual(data.exit, { code: 2, meaning: 'one or more hosts not compliant (drift)' });
  assert.equal(data.t0, null, 'a document without times has none');
});

test("page data: drift a host or step lists itself joins the document's, each reason once", () => {
  const host = {
    status: 'ok',
    steps: [{ name: 'sensor config', status: 'ok', message: 'read', drift: ['restart owed since 2026-04-30'] }],
    drift: ['restart owed since 2026-04-30', 'service not active'],
  } as unknown as HostReport;
  const data = pageData(doc({ h: host }, { drift: { h: 'service not active; sensor too old' } }), '0.1.0');
  const h = data.hosts[0]!;
  assert.equal(h.dr, 'service not active; sensor too old; restart owed since 2026-04-30');
  assert.equal(h.kv, undefined, 'drift is not shown twice');
  assert.equal(h.st[0]!.kv, undefined, 'nor again under its step');
});

test('the data cannot end its script block: <, > and & are \\u escapes, so </script> and --> stay inside', () => {
  const text = scriptSafeJson({ a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'a & b\u2028' });
  assert.ok(!/[<>&\u2028]/.test(text), text);
  assert.deepEqual(JSON.parse(text), { a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'a & b\u2028' });
});

test('the page: one CSP allowing only its own script and style by hash, no URL anywhere, the hostile values only inside the data', () => {
  const hostile = '<script>alert("host")</script>';
  const page = htmlReport(
    doc({
      [hostile]: {
        status: 'failed',
        steps: [{ name: 'cmd', status: 'failed', message: 'bad </td><td>', diff: '+<!-- -->' }],
      },
    }),
  );
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1];
  assert.ok(csp, 'a CSP meta tag');
  assert.match(
    csp,
    /^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; base-uri 'none'; form-action 'none'$/,
  );
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)![1]!;
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
  const hash = (t: string) => createHash('sha256').update(t).digest('base64');
  assert.ok(
    csp.includes(`'sha256-${hash(script)}'`) && csp.includes(`'sha256-${hash(style)}'`),
    'the hashes are of the inlined script and style',
  );
  assert.equal(page.match(/<script/g)?.length, 2, 'the data block and the page script, nothing else');
  assert.ok(!page.includes(hostile) && !page.includes('</td><td>') && !page.includes('<!-- -->'));
  assert.doesNotMatch(page, /https?:\/\/|src=|href=|@import|url\(/i);
});

test('a registered secret appears nowhere in the page, also when JSON would escape it', () => {
  const key = 'html-unit-key-"q\\7z41';
  registerSecret(key);
  const page = htmlReport(
    doc({
      h: {
        status: 'changed',
        steps: [{ name: 'config', status: 'changed', message: `api_key ${key}`, diff: `+  api_key: ${key}` }],
      },
    }),
  );
  for (const piece of ['html-unit-key', 'q\\7z41', 'q\\\\7z41']) assert.ok(!page.includes(piece), piece);
  assert.ok(page.includes('********'));
});

test('withTiming adds start, finish and step times (and run) without touching the existing fields', () => {
  let now = T0;
  const recorder = runRecorder(() => now);
  const step = { name: 'config', status: 'changed' as const, message: 'done' };
  recorder.listener({ type: 'run-start', hosts: ['a', 'b'], check: false });
  now += 10;
  recorder.listener({ type: 'host-start', host: 'a' });
  now += 20;
  recorder.listener({ type: 'step-end', host: 'a', step: { name: 'connect', status: 'ok', message: '' } });
  recorder.listener({ type: 'step-start', host: 'a', step: 'config' });
  now += 300;
  recorder.listener({ type: 'step-end', host: 'a', step });
  const report = { status: 'changed' as const, steps: [{ name: 'connect', status: 'ok' as const, message: '' }, step] };
  recorder.listener({ type: 'host-end', host: 'a', report });
  recorder.listener({ type: 'host-end', host: 'b', report: { status: 'skipped', steps: [] } });
  const timed = withTiming(
    { hosts: { a: report, b: { status: 'skipped', steps: [] } }, summary: summarise({ a: report }) },
    recorder,
    { command: 'deploy', playbook: 'p' },
    T0 + 1000,
  );
  assert.deepEqual(timed.hosts.a, {
    ...report,
    startedAt: at(10),
    finishedAt: at(330),
    steps: [
      { name: 'connect', status: 'ok', message: '', startedAt: at(10), seconds: 0.02 },
      { ...step, startedAt: at(30), seconds: 0.3 },
    ],
  });
  assert.deepEqual(timed.hosts.b, { status: 'skipped', steps: [] }, 'a host that never started has no times');
  // a step no event announced (one added after the run) gets no time, and does not shift the others'
  const added = { name: 'Sophos Central', status: 'ok' as const, message: 'seen' };
  const withAdded = withTiming(
    { hosts: { a: { ...report, steps: [report.steps[0]!, added, step] } }, summary: summarise({ a: report }) },
    recorder,
    {},
    T0 + 1000,
  );
  assert.deepEqual(
    withAdded.hosts.a!.steps.map((s) => (s as { seconds?: number }).seconds),
    [0.02, undefined, 0.3],
  );
  assert.equal(timed.run.startedAt, at(0));
  assert.equal(timed.run.seconds, 1);
  assert.equal(timed.run.command, 'deploy');
  assert.deepEqual(recorder.hostSeconds(), { a: 0.32, b: 0 });
});

test('merged run info: the whole span of the slices, every controller once', () => {
  const info = mergedRunInfo([
    { command: 'exec', startedAt: at(100), finishedAt: at(900), user: 'ci', controller: 'runner-1' },
    { command: 'exec', startedAt: at(0), finishedAt: at(1500), user: 'ci', controller: 'runner-2' },
    undefined,
  ]);
  assert.deepEqual(info, {
    command: 'exec',
    startedAt: at(0),
    finishedAt: at(1500),
    seconds: 1.5,
    user: 'ci',
    controller: 'runner-1, runner-2',
  });
  assert.equal(mergedRunInfo([undefined]), undefined);
});

test('page data: each batch gate with its wait as ms from the run start, the page holding the gates section', () => {
  const gate = {
    batch: 2,
    hosts: ['web-01', 'web-02'],
    seen: ['web-01'],
    notSeen: ['web-02'],
    outcome: 'failed' as const,
    startedAt: at(3000),
    finishedAt: at(9000),
    seconds: 6,
    polls: 4,
    message: '1 of 2 seen in Sophos Central within 0.1 min; not seen: web-02',
  };
  const data = pageData(doc({ 'web-01': web }, { run: { startedAt: at(0) }, gates: [gate] }), '0.3.0');
  assert.deepEqual(data.gates, [
    {
      batch: 2,
      outcome: 'failed',
      a: 3000,
      b: 9000,
      hosts: ['web-01', 'web-02'],
      seen: ['web-01'],
      notSeen: ['web-02'],
      message: gate.message,
      seconds: 6,
    },
  ]);
  assert.ok(data.span >= 9000, 'the timeline reaches the end of the last wait');
  const page = htmlReport(doc({ 'web-01': web }, { gates: [gate] }));
  assert.match(page, /<section id="gates" hidden>\n<h2>Sophos Central gates<\/h2>/);
  assert.equal(pageData(doc({ 'web-01': web }), '0.3.0').gates, undefined, 'no gates, no gates section data');
});
