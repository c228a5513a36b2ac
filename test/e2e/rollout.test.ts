// Rolling out on the simulated fleet: --serial batches finish (handlers included) before the
// next starts, and --max-fail-percentage stops a rollout whose canary batch failed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FleetHost } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import {
  assertConverged,
  assertUntouched,
  configWrittenAt,
  deploy,
  intendedConfig,
  journalEntries,
  resetConfig,
  type Deployed,
} from '../helpers/rollout.ts';

const NAMES = ['r-01', 'r-02', 'r-03', 'r-04', 'r-05'];

/** The hosts in the order given, cut into batches of these sizes. */
function batchesOf(hosts: FleetHost[], sizes: number[]): FleetHost[][] {
  assert.equal(
    sizes.reduce((a, b) => a + b, 0),
    hosts.length,
  );
  const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
  return sizes.map((n, i) => hosts.slice(starts[i], starts[i] + n));
}

/**
 * Each batch's last event on its hosts (the test alert, the last handler, in the journal) comes
 * before the first config write of the next batch: the batches did not overlap.
 */
function assertBatchesInOrder(batches: FleetHost[][], since: number): void {
  for (let i = 0; i + 1 < batches.length; i++) {
    const done = Math.max(
      ...batches[i]!.map((h) =>
        Math.max(
          ...journalEntries(h)
            .filter((e) => e.t >= since)
            .map((e) => e.t),
        ),
      ),
    );
    const doneAlerts = batches[i]!.map(
      (h) => journalEntries(h).filter((e) => e.t >= since && e.msg.includes('Alert Tester')).length,
    );
    assert.deepEqual(
      doneAlerts,
      batches[i]!.map(() => 1),
      `batch ${i + 1}: every host ran its test alert`,
    );
    const nextWrites = batches[i + 1]!.map((h) => configWrittenAt(h));
    const first = Math.min(...nextWrites);
    assert.ok(
      done < first,
      `batch ${i + 1} (${batches[i]!.map((h) => h.name).join(', ')}) finished at ${done}, after batch ${i + 2} wrote its first config at ${first}`,
    );
  }
  // and a batch's hosts ran side by side: all of its configs were written before its first test
  // alert (hosts run one after another, or batches of the wrong size, would break this or the above)
  for (const [i, batch] of batches.entries()) {
    const firstAlert = Math.min(
      ...batch.map((h) => journalEntries(h).find((e) => e.t >= since && e.msg.includes('Alert Tester'))!.t),
    );
    const lastWrite = Math.max(...batch.map((h) => configWrittenAt(h)));
    assert.ok(
      lastWrite < firstAlert,
      `batch ${i + 1} (${batch.map((h) => h.name).join(', ')}): a config written at ${lastWrite}, after the batch's first alert at ${firstAlert}`,
    );
  }
}

function assertAllChanged(run: Deployed, names: string[]): void {
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(Object.keys(run.json.hosts), names, 'hosts reported in inventory order');
  for (const name of names)
    assert.equal(run.json.hosts[name]!.status, 'changed', `${name}: ${JSON.stringify(run.json.hosts[name])}`);
}

describe('--serial', () => {
  // slow restarts widen the window in which overlapping batches would be caught
  const fleet = useFleet(
    NAMES.map((name) => ({ name, config: OPERATOR_CONFIG, slowRestartMs: 1_000 })),
    { subnet: 130 },
  );

  test('--serial 1,2: a canary host, then batches of two, each finished with its handlers before the next', async () => {
    const since = Date.now();
    const run = await deploy(fleet, ['--serial', '1,2']);
    assertAllChanged(run, NAMES);
    for (const h of fleet.hosts) assertConverged(fleet, h, OPERATOR_CONFIG);
    assertBatchesInOrder(batchesOf(fleet.hosts, [1, 2, 2]), since);
    assert.equal(fleet.centralInbox().length, 5);
  });

  test('--serial 40%: batches of two hosts (40% of five), the rest in a last batch', async () => {
    for (const h of fleet.hosts) resetConfig(h, OPERATOR_CONFIG);
    const since = Date.now();
    const run = await deploy(fleet, ['--serial', '40%']);
    assertAllChanged(run, NAMES);
    for (const h of fleet.hosts) assertConverged(fleet, h, OPERATOR_CONFIG, 2);
    assertBatchesInOrder(batchesOf(fleet.hosts, [2, 2, 1]), since);
  });
});

describe('--max-fail-percentage', () => {
  const CANARIES = ['canary-ok', 'canary-broken'];
  const LATER = ['later-01', 'later-02', 'later-03'];
  const fleet = useFleet(
    [
      { name: 'canary-ok', config: OPERATOR_CONFIG },
      { name: 'canary-broken', config: OPERATOR_CONFIG, restartBroken: true },
      ...LATER.map((name) => ({ name, config: OPERATOR_CONFIG })),
    ],
    { subnet: 131 },
  );

  test('a canary batch with more failures than allowed stops the rollout: the later hosts are skipped, untouched', async () => {
    const run = await deploy(fleet, ['--serial', '2', '--max-fail-percentage', '25']);
    assert.equal(run.code, 2, run.stderr);
    const { hosts, summary } = run.json;
    assert.deepEqual(summary, { ok: 0, changed: 1, failed: 1, unreachable: 0, skipped: 3 });

    assertConverged(fleet, fleet.host('canary-ok'), OPERATOR_CONFIG);
    // the broken canary: rolled back to its old config, bytes equal
    const broken = fleet.host('canary-broken');
    assert.equal(hosts['canary-broken']!.status, 'failed');
    const restart = hosts['canary-broken']!.steps.find((s) => s.name === 'restart sensor')!;
    assert.equal(restart.status, 'failed');
    assert.match(restart.message, /kernel lockdown/);
    assert.match(restart.message, /previous config was restored/);
    assert.equal(broken.readConfig(), OPERATOR_CONFIG);
    assert.equal(broken.restartCount(), 2, 'the new config, then the restored one');
    assert.equal(fleet.centralInbox().filter((d) => d.host === 'canary-broken').length, 0);

    for (const name of LATER) {
      assert.equal(hosts[name]!.status, 'skipped');
      assert.deepEqual(hosts[name]!.steps, []);
      assert.match(
        hosts[name]!.reason ?? '',
        /1 of 2 hosts of the previous batch failed \(50% > --max-fail-percentage 25\)/,
      );
      assert.match(
        run.stderr,
        new RegExp(
          `${name} +: skipped .*\\(not started: 1 of 2 hosts of the previous batch failed \\(50% > --max-fail-percentage 25\\)\\)`,
        ),
      );
      assertUntouched(fleet, fleet.host(name), OPERATOR_CONFIG);
    }
  });

  test('at exactly the allowed percentage the rollout goes on (more than n% stops it)', async () => {
    for (const name of CANARIES) resetConfig(fleet.host(name), OPERATOR_CONFIG);
    const run = await deploy(fleet, ['--serial', '2', '--max-fail-percentage', '50']);
    assert.equal(run.code, 2, run.stderr);
    assert.deepEqual(run.json.summary, { ok: 0, changed: 4, failed: 1, unreachable: 0, skipped: 0 });
    assert.equal(run.json.hosts['canary-broken']!.status, 'failed');
    assert.equal(fleet.host('canary-broken').readConfig(), OPERATOR_CONFIG);
    for (const name of LATER) assertConverged(fleet, fleet.host(name), OPERATOR_CONFIG);
    assert.equal(fleet.host('later-01').readConfig(), intendedConfig(OPERATOR_CONFIG));
  });
});
