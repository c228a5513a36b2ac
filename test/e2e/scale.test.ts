// Many hosts at once: --forks N on N simulated hosts (60 by default, SLS_SCALE_HOSTS to change), every one converges (no host dropped,
// no channel or descriptor exhaustion). 200 hosts, and the peak RSS at 50 and 200, are measured
// by bench/scale.ts (too slow for the suite); this test asserts correctness, not timings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scaleRun } from '../../bench/scale.ts';

const HOSTS = Number(process.env.SLS_SCALE_HOSTS ?? 60);

test(`--forks ${HOSTS} on ${HOSTS} hosts: every host converges, one connection each`, async () => {
  const result = await scaleRun(HOSTS, 137);
  assert.deepEqual(result.summary, { ok: 0, changed: HOSTS, failed: 0, unreachable: 0, skipped: 0 });
  // one SSH connection per host, as each host's sshd logged them
  const notOne = Object.entries(result.logins).filter(([, n]) => n !== 1);
  assert.equal(Object.keys(result.logins).length, HOSTS);
  assert.deepEqual(notOne, [], 'hosts whose sshd logged other than one connection');
  // and nothing leaking: descriptors grow with the hosts, not beyond
  assert.ok(result.peakFds <= HOSTS + 64, `peak ${result.peakFds} descriptors for ${HOSTS} hosts`);
  process.stderr.write(
    `# ${HOSTS} hosts: CLI peak RSS ${(result.peakRssKb / 1024).toFixed(1)} MB, peak fds ${result.peakFds}, deploy ${result.deployMs} ms\n`,
  );
});
