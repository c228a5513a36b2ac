import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fleetViewReporter } from '../../../src/report/fleet-view.ts';
import { registerSecret } from '../../../src/report/secrets.ts';
import { summarise } from '../../../src/runner/status.ts';
import type { HostReport } from '../../../src/runner/types.ts';

function fakeTerminal(columns: number, rows: number) {
  const writes: string[] = [];
  const write = (s: string): boolean => {
    writes.push(s);
    return true;
  };
  return { columns, rows, isTTY: true, writes, write };
}

test('the fleet view redraws in place, notes go above it, and it ends with the summary, details and recap', async () => {
  const SECRET = 'fleet-view-secret-81d2';
  registerSecret(SECRET);
  const out = fakeTerminal(0, 0); // a pty reporting 0×0: drawn as 80×24
  let clock = 0;
  const reporter = fleetViewReporter({
    out: out as unknown as NodeJS.WritableStream,
    diff: false,
    verbose: false,
    now: () => clock,
    redrawMs: 10_000,
  });
  const hosts = Array.from({ length: 40 }, (_, i) => `h-${i}`);
  reporter.listener({ type: 'run-start', hosts, check: false });
  const reports: Record<string, HostReport> = {};
  for (const [i, host] of hosts.entries()) {
    reporter.listener({ type: 'host-start', host });
    reporter.listener({ type: 'step-start', host, step: 'config' });
    clock += 100;
    const failed = i === 3;
    const step = {
      name: 'config',
      status: failed ? ('failed' as const) : ('changed' as const),
      message: failed ? `bad key ${SECRET}` : 'mcs output added',
    };
    reporter.listener({ type: 'step-end', host, step });
    reports[host] = { status: step.status, steps: [step] };
    reporter.listener({ type: 'host-end', host, report: reports[host]! });
    if (i === 20) reporter.note!('\nSIGINT: no new host or step will start\n');
  }
  reporter.listener({ type: 'run-end', report: { hosts: reports, summary: summarise(reports) } });
  await reporter.finish();
  const text = out.writes.join('');
  assert.ok(!text.includes(SECRET), 'secrets are masked');
  assert.match(text, /SIGINT: no new host or step will start\n/);
  assert.match(text, /40\/40 done, 39 changed, 1 failed, 0 unreachable, 0 running, 0:04 elapsed, done\n/);
  assert.match(text, /failed: \[h-3\] config: bad key \*{8}/);
  assert.match(text, /40 hosts: 0 ok, 39 changed, 1 failed/);
  for (const line of text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/[\r\n]/))
    assert.ok(line.length < 80 || /^h-\d+ +:/.test(line), `wider than the screen: ${line}`);
});
