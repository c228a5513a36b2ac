// The README's first command, `npm run demo`, as a new user runs it: the demo fleet is checked,
// converged (legacy-01 is too old and fails), converged again with nothing to change, audited, and
// its test alerts reach the simulated Central. The fleet's MCS endpoint is served by the demo's own
// process, so the demo must never block it while the CLI runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPO, runProgram } from '../helpers/cli.ts';

const KEY = 'demo-e2e-tenant-token-5e1d07';

test('npm run demo: check, converge, a second run that changes nothing, status, and 5 test alerts in Central', async () => {
  const run = await runProgram('npm', ['run', '--silent', 'demo'], {
    cwd: REPO,
    env: { ...process.env, SLS_API_KEY: KEY, NO_COLOR: '1' },
  });
  assert.equal(run.code, 0, run.stderr);
  const summaries = run.stdout.match(/^6 hosts: .*$/gm) ?? [];
  assert.deepEqual(summaries, [
    '6 hosts: 0 ok, 5 changed, 1 failed, 0 unreachable, 0 skipped',
    '6 hosts: 0 ok, 5 changed, 1 failed, 0 unreachable, 0 skipped',
    '6 hosts: 5 ok, 0 changed, 1 failed, 0 unreachable, 0 skipped',
    '6 hosts: 6 ok (1 with drift), 0 changed, 0 failed, 0 unreachable, 0 skipped',
  ]);
  assert.match(run.stdout, /CHECK MODE \(nothing will be changed\): 6 host\(s\)/);
  assert.match(run.stdout, /fatal: \[legacy-01\] sensor version: 5\.4\.1\.3 .* is older than 5\.5\.2\.22/);
  assert.doesNotMatch(run.stdout, /mcs endpoint: cannot reach/, 'every host reaches the fleet’s MCS endpoint');
  const alerts = /^Simulated Sophos Central received (\d+) test alert\(s\): (.*)$/m.exec(run.stdout);
  assert.equal(alerts?.[1], '5', run.stdout.slice(-500));
  assert.deepEqual(alerts[2]!.split(', ').sort(), ['db-01', 'db-02', 'edge-01', 'web-01', 'web-02']);
  assert.ok(!(run.stdout + run.stderr).includes(KEY), 'the API key is in no output');
});
