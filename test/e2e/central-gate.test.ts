// The Sophos Central gate of a rolling deploy (`--serial` with `--central`): each batch is done
// only when its hosts' test alerts are seen in Central (a local HTTPS fake of its public API,
// fed by the fleet's sensors) or --wait runs out; the next batch starts only after that. A batch
// whose alert is lost stops the rollout before the rest of the fleet is touched.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { DelayedInbox } from '../central/delayed-inbox.ts';
import { FakeCentral } from '../central/fake.ts';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { browserMissing, launchBrowser, openReport } from '../helpers/browser.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';
import {
  deployArgs,
  journalEntries,
  parseJson,
  resetConfig,
  spawnCli,
  waitUntil,
  type RunJson,
} from '../helpers/rollout.ts';

const CLIENT = { clientId: 'gate-e2e-client-id-71a0', clientSecret: 'gate-e2e-client-secret-9c3e4d' };
const API_KEY = 'rollout-tenant-token-0123456789';
const NAMES = ['gate-01', 'gate-02', 'gate-03', 'gate-04', 'gate-05', 'gate-06'];
type Gate = {
  batch: number;
  hosts: string[];
  seen: string[];
  notSeen: string[];
  outcome: string;
  seconds: number;
  polls: number;
  message: string;
};
type Doc = RunJson & { gates?: Gate[]; hosts: Record<string, RunJson['hosts'][string] & { reason?: string }> };

let fleet: Fleet;
let fake: FakeCentral;
let dir: string;
/** Central learns of a delivery 500 ms after the sensor sent it; a lost host's alerts never arrive. */
const central = new DelayedInbox(() => fleet.centralInbox(), 500);

before(async () => {
  fleet = await startFleet(
    NAMES.map((name) => ({ name, config: OPERATOR_CONFIG })),
    { subnet: 225 },
  );
  fake = await new FakeCentral({
    ...CLIENT,
    tenantId: '5c0ffee0-2222-4333-8444-955556666777',
    detections: central.held,
    pendingPolls: 0,
    maxPageSize: 50,
  }).start();
  dir = mkdtempSync(join(tmpdir(), 'central-gate-e2e-'));
});

after(async () => {
  await fake?.stop();
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  central.clear();
  for (const host of fleet.hosts) resetConfig(host, OPERATOR_CONFIG);
});

const env = () => ({ ...fake.env({ SLS_PLAY_CENTRAL_POLL_SECONDS: '0.3' }), SLS_API_KEY: API_KEY });
const gated = (extra: string[]) => deployArgs(fleet, ['--central', ...extra]);
const doc = (run: CliRun) => parseJson(run) as Doc;
const restartedAt = (host: string) =>
  journalEntries(fleet.host(host))
    .filter((e) => e.msg.startsWith('Started '))
    .map((e) => e.t);

test('a lost alert in batch 2 fails its host and stops the rollout before batch 3 is touched (exit 2)', async (t) => {
  central.lose('gate-03');
  const restarts = new Map(NAMES.map((n) => [n, fleet.host(n).restartCount()]));
  const junit = join(dir, 'lost.xml');
  const html = join(dir, 'lost.html');
  const queriesBefore = fake.log.length;
  const run = await runCli(
    gated(['--serial', '1,2,3', '--wait', '0.05', '--max-fail-percentage', '0', '--junit', junit, '--html-out', html]),
    { env: env(), timeoutMs: 90_000 },
  );
  assert.equal(run.code, 2, run.stderr);
  const json = doc(run);
  const centralOf = (h: string) => json.hosts[h]!.steps.find((s) => s.name === 'Sophos Central');
  assert.equal(centralOf('gate-01')?.status, 'ok');
  assert.equal(centralOf('gate-02')?.status, 'ok');
  assert.equal(json.hosts['gate-03']!.status, 'failed');
  assert.match(centralOf('gate-03')!.message, /^"Alert Tester" not seen in Sophos Central within 0\.05 min: /);
  for (const name of ['gate-04', 'gate-05', 'gate-06']) {
    assert.equal(json.hosts[name]!.status, 'skipped', name);
    assert.equal(json.hosts[name]!.reason, 'not started: 1 of 2 hosts of batch 2 not seen in Sophos Central');
    assert.equal(fleet.host(name).readConfig(), OPERATOR_CONFIG, `${name}: config unchanged`);
    assert.equal(fleet.host(name).restartCount(), restarts.get(name), `${name}: not restarted`);
  }
  assert.deepEqual(
    json.gates?.map((g) => [g.batch, g.outcome, g.hosts, g.seen, g.notSeen]),
    [
      [1, 'passed', ['gate-01'], ['gate-01'], []],
      [2, 'failed', ['gate-02', 'gate-03'], ['gate-02'], ['gate-03']],
    ],
  );
  assert.ok(json.gates![1]!.seconds >= 3, 'batch 2 waited the whole --wait');
  assert.match(
    run.stderr,
    /^gate: batch 2: failed: 1 of 2 seen in Sophos Central within 0\.05 min; not seen: gate-03 \(waited \d+\.\d s\)$/m,
  );
  assert.match(
    run.stderr,
    /SOPHOS CENTRAL GATES\nbatch 1 +passed +waited [\d.]+ s +1 of 1 seen in Sophos Central after \d+ poll\(s\)\nbatch 2 +failed/,
  );

  // a detections query ran after batch 1's restart and before batch 2's
  const queries = fake.log
    .slice(queriesBefore)
    .filter((l) => l.method === 'POST' && l.path === '/detections/v1/queries/detections');
  const batch1 = restartedAt('gate-01').at(-1)!;
  const batch2 = Math.min(restartedAt('gate-02').at(-1)!, restartedAt('gate-03').at(-1)!);
  assert.ok(
    queries.some((q) => q.at > batch1 && q.at < batch2),
    `no query between batch 1's restart (${batch1}) and batch 2's (${batch2}): ${queries.map((q) => q.at).join(', ')}`,
  );
  assert.equal(
    queries.length,
    json.gates!.reduce((n, g) => n + g.polls, 0),
    'one query per poll for the whole batch',
  );

  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /<testsuite name="sls-play [^"]+ Sophos Central gates" tests="2" failures="1"/);
  assert.match(
    xml,
    /<testcase name="batch 2" classname="[^"]+\.gates" time="\d+\.\d{3}">\n +<failure type="not seen in Sophos Central" message="1 of 2 seen in Sophos Central within 0\.05 min; not seen: gate-03"/,
  );
  assert.ok(existsSync(html));
  if (browserMissing()) return t.skip(browserMissing());
  const browser = await launchBrowser();
  try {
    const { page, problems } = await openReport(browser, html);
    assert.equal(await page.isVisible('#gates'), true, 'the gates section is shown');
    const rows = await page.$$eval('#gate-rows tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    assert.deepEqual(
      rows.map((r) => [r[0], r[1], r[3], r[4]]),
      [
        ['1', 'passed', 'gate-01', ''],
        ['2', 'failed', 'gate-02, gate-03', 'gate-03'],
      ],
    );
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('with nothing lost every batch passes its gate and the run exits 0, with one token for the run', async (t) => {
  const tokens = fake.tokensIssued;
  const run = await runCli(gated(['--serial', '1,2,3', '--wait', '0.5', '--max-fail-percentage', '0']), {
    env: env(),
    timeoutMs: 90_000,
  });
  assert.equal(run.code, 0, run.stderr);
  const json = doc(run);
  assert.deepEqual(json.summary, { ok: 0, changed: 6, failed: 0, unreachable: 0, skipped: 0 });
  assert.deepEqual(
    json.gates?.map((g) => [g.batch, g.outcome, g.seen.length]),
    [
      [1, 'passed', 1],
      [2, 'passed', 2],
      [3, 'passed', 3],
    ],
  );
  for (const g of json.gates!) {
    t.diagnostic(`batch ${g.batch}: waited ${g.seconds} s, ${g.polls} poll(s)`);
    assert.ok(g.seconds < 10, `batch ${g.batch} waited ${g.seconds} s`);
  }
  assert.equal(fake.tokensIssued - tokens, 1, 'one token for the whole run, whatever the number of batches');
});

test('--central-wait end keeps the old way: every batch rolled out, then one wait for all', async () => {
  central.lose('gate-03');
  const run = await runCli(
    gated(['--serial', '1,2,3', '--wait', '0.05', '--max-fail-percentage', '0', '--central-wait', 'end']),
    { env: env(), timeoutMs: 90_000 },
  );
  assert.equal(run.code, 2, run.stderr);
  const json = doc(run);
  assert.equal(json.gates, undefined);
  for (const name of NAMES) assert.notEqual(fleet.host(name).readConfig(), OPERATOR_CONFIG, `${name} was rolled out`);
  assert.equal(json.hosts['gate-03']!.status, 'failed');
});

test('Ctrl-C during a gate starts no new batch and prints what was seen (exit 99)', async () => {
  central.lose('gate-05');
  const restarts = fleet.host('gate-06').restartCount();
  const cli = spawnCli(gated(['--serial', '1,2,2,1', '--wait', '5']), env());
  await waitUntil(
    'batch 3 waiting for gate-05',
    () => /gate: batch 3: poll \d+: 1 of 2 seen, waiting for gate-05/.test(cli.stderr()),
    60_000,
  );
  cli.child.kill('SIGINT');
  const exit = await cli.exited;
  assert.equal(exit.code, 99, cli.stderr());
  assert.match(
    cli.stderr(),
    /^gate: batch 3: interrupted: 1 of 2 seen in Sophos Central before the interrupt \(waited/m,
  );
  const json = JSON.parse(cli.stdout()) as Doc;
  assert.equal(json.interrupted, true);
  assert.equal(json.gates?.at(-1)?.outcome, 'interrupted');
  assert.equal(json.hosts['gate-05']!.steps.at(-1)?.status, 'skipped');
  assert.equal(json.hosts['gate-06']!.reason, 'not started: interrupted');
  assert.equal(fleet.host('gate-06').readConfig(), OPERATOR_CONFIG);
  assert.equal(fleet.host('gate-06').restartCount(), restarts);
});
