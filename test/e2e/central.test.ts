// `--central` end to end: the real CLI on a simulated fleet, whose sensors deliver their test
// alerts to the fleet's Central inbox; a local HTTPS fake of Central's public API serves them as
// detections after a delay. Every host is seen, a host whose alert never arrives fails after
// --wait, credentials never appear in any output, one query per poll whatever the fleet size,
// set-up mistakes are exit 5 before any host is touched, Ctrl-C exits 99 with what was seen.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DelayedInbox } from '../central/delayed-inbox.ts';
import { FakeCentral, otherDetection, testAlertDetection } from '../central/fake.ts';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { MCS_CONFIG } from '../fleet/profiles.ts';
import { CLI, fleetArgs, REPO, runCli, type CliRun } from '../helpers/cli.ts';

const CLIENT_ID = 'e2e-central-client-id-4b7e19';
const CLIENT_SECRET = 'e2e-central-client-secret-d03a5f62';
const API_KEY = 'e2e-central-sls-repo-token-77c1';
const NAMES = ['cen-01', 'cen-02', 'cen-03', 'cen-04'];
const POLL = { SLS_PLAY_CENTRAL_POLL_SECONDS: '0.3' };

let fleet: Fleet;
let fake: FakeCentral;
/** Central learns of a delivery 600 ms after the sensor sent it; beside each test alert it holds another detection. */
const central = new DelayedInbox(
  () => fleet.centralInbox(),
  600,
  (host, at) => [testAlertDetection(host, at), otherDetection(host, at)],
);
const held = central.held;

const env = (extra: Record<string, string> = {}) => ({ ...fake.env(POLL), SLS_API_KEY: API_KEY, ...extra });
const cli = (args: string[], extra: Record<string, string> = {}) =>
  runCli(args, { env: env(extra), timeoutMs: 60_000 });

type Step = { name: string; status: string; message: string; facts?: { central?: Record<string, unknown> } };
type Doc = {
  hosts: Record<string, { status: string; steps: Step[]; facts?: Record<string, unknown> }>;
  summary: Record<string, number>;
  interrupted?: boolean;
};
function json(run: CliRun): Doc {
  try {
    return JSON.parse(run.stdout) as Doc;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}
const centralStep = (doc: Doc, host: string) => doc.hosts[host]!.steps.find((s) => s.name === 'Sophos Central');
const polls = (run: CliRun) =>
  Number(/test alert\(s\) seen after (\d+) poll\(s\)/.exec(run.stdout + run.stderr)?.[1] ?? NaN);

function assertNoCredentials(run: CliRun): void {
  for (const secret of [CLIENT_ID, CLIENT_SECRET, API_KEY]) {
    assert.ok(
      !run.stdout.includes(secret) && !run.stderr.includes(secret),
      `a credential appeared in the output:\n${run.stdout}\n${run.stderr}`,
    );
  }
  assert.ok(!/fake-token-/.test(run.stdout + run.stderr), 'the bearer token appeared in the output');
}

before(async () => {
  fleet = await startFleet(
    NAMES.map((name) => ({ name, config: MCS_CONFIG })),
    { subnet: 161 },
  );
  fake = await new FakeCentral({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tenantId: '5c0ffee0-1111-4222-8333-944445555666',
    detections: held,
    pendingPolls: 1,
    maxPageSize: 3,
  }).start();
});

after(async () => {
  await fake?.stop();
  await fleet?.stop();
});

describe('test-alert --central', () => {
  test('every host is seen, with rule and time in -v and --json; no credential in any output', async () => {
    const runs = fake.queryRuns;
    const run = await cli(['test-alert', ...fleetArgs(fleet), '--central', '--wait', '0.5', '--json', '-v']);
    assert.equal(run.code, 0, run.stderr);
    const doc = json(run);
    for (const name of NAMES) {
      const step = centralStep(doc, name)!;
      assert.equal(step.status, 'ok', `${name}: ${step.message}`);
      assert.match(
        step.message,
        /^"Alert Tester" seen in Sophos Central at \d\d:\d\d:\d\d \(rule: SLS runtime detection\)$/,
      );
      assert.equal(step.facts?.central?.rule, 'SLS runtime detection');
      assert.equal(step.facts?.central?.hostField, 'device.entity');
      assert.equal(step.facts?.central?.alertField, 'rawData.strategy_name');
      assert.match(String(step.facts?.central?.time), /^\d{4}-\d\d-\d\dT/);
      assert.match(
        run.stderr,
        new RegExp(
          `${name} +seen at \\d\\d:\\d\\d:\\d\\d \\(rule: SLS runtime detection\\) \\[detection [0-9a-f-]+ at .*; host from device\\.entity, "Alert Tester" from rawData\\.strategy_name\\]`,
        ),
      );
    }
    assert.deepEqual(doc.summary, { ok: 4, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
    assert.match(run.stderr, /Sophos Central: 4 of 4 test alert\(s\) seen after \d+ poll\(s\)/);
    assert.equal(fake.queryRuns - runs, polls(run), 'one query run per poll');
    assertNoCredentials(run);
    // the fake really was given the credential, so its absence from the output means something
    assert.ok(fake.seenAuth.some((s) => s.includes(`client_secret=${CLIENT_SECRET}`)));
  });

  test('a host whose alert never reaches Central fails after --wait with what to check (exit 2); its earlier alerts do not count', async () => {
    assert.ok(
      fleet.centralInbox().some((d) => d.host === 'cen-03'),
      'cen-03 has an earlier test alert in Central',
    );
    central.lose('cen-03', Date.now());
    try {
      const began = Date.now();
      const run = await cli(['test-alert', ...fleetArgs(fleet), '--central', '--wait', '0.05']);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.ok(Date.now() - began >= 3000, 'waited the whole --wait');
      assert.match(run.stdout, /cen-03 +not seen/);
      assert.match(
        run.stdout,
        /failed: \[cen-03\] Sophos Central: "Alert Tester" not seen in Sophos Central within 0\.05 min: check the XDR or MDR licence, the mcs URL or region \(sls_region \/ sls_mcs_url\), the api_key \(SLS_API_KEY\), and the sensor's journal \(journalctl -u sophoslinuxsensor\)/,
      );
      for (const name of ['cen-01', 'cen-02', 'cen-04']) assert.match(run.stdout, new RegExp(`${name} +seen at`));
      assert.match(
        run.stdout,
        /RECAP[\s\S]*cen-03 +: failed[\s\S]*4 hosts: 3 ok, 0 changed, 1 failed, 0 unreachable, 0 skipped\n$/,
      );
      assertNoCredentials(run);
    } finally {
      central.found('cen-03');
    }
  });

  test('one query per poll, whatever the fleet size', async () => {
    const counts: Array<{ hosts: number; polls: number; queries: number; tokens: number }> = [];
    for (const limit of ['cen-01', 'all']) {
      const [runs, tokens] = [fake.queryRuns, fake.tokensIssued];
      const run = await cli(['test-alert', ...fleetArgs(fleet), '-l', limit, '--central', '--wait', '0.5']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      counts.push({
        hosts: limit === 'all' ? 4 : 1,
        polls: polls(run),
        queries: fake.queryRuns - runs,
        tokens: fake.tokensIssued - tokens,
      });
    }
    for (const c of counts) {
      assert.equal(c.queries, c.polls, JSON.stringify(counts));
      assert.equal(c.tokens, 1, 'one token for the whole run');
    }
  });

  test('Central answers 401 once mid-wait: the token is renewed and the hosts are still seen', async () => {
    const refused = () => fake.log.filter((l) => l.status === 401).length;
    const [refusedBefore, tokensBefore] = [refused(), fake.tokensIssued];
    fake.fault({ method: 'POST', path: '/detections/v1/queries/detections', status: 401 });
    const run = await cli(['test-alert', ...fleetArgs(fleet), '--central', '--wait', '0.5', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(json(run).summary, { ok: 4, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
    assert.equal(refused() - refusedBefore, 1, 'Central refused one query');
    assert.equal(fake.tokensIssued - tokensBefore, 2, 'a token at the start, and a new one after the 401');
  });

  test('Ctrl-C during the wait prints what was seen so far and exits 99', async () => {
    central.lose('cen-02', Date.now());
    try {
      const child = spawn(
        process.execPath,
        [CLI, 'test-alert', ...fleetArgs(fleet), '--central', '--wait', '5', '--json'],
        { cwd: REPO, env: { ...process.env, CI: 'true', ...env() }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const deadline = Date.now() + 30_000;
      while (!/Sophos Central: poll \d+: 3 of 4 seen/.test(err)) {
        if (Date.now() > deadline) throw new Error(`the wait never saw 3 hosts:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      const code = await closed;
      assert.equal(code, 99, err);
      assert.match(err, /SIGINT: no longer waiting for Sophos Central; what was seen so far follows/);
      assert.match(err, /Sophos Central: 3 of 4 test alert\(s\) seen after \d+ poll\(s\) \(interrupted\)/);
      assert.match(err, /cen-02 +not seen/);
      const doc = JSON.parse(out) as Doc;
      assert.equal(doc.interrupted, true);
      assert.equal(centralStep(doc, 'cen-02')!.status, 'skipped');
      assert.equal(centralStep(doc, 'cen-01')!.status, 'ok');
    } finally {
      central.found('cen-02');
    }
  });
});

describe('set-up mistakes: one line, exit 5, no host touched', () => {
  const untouched = async (run: CliRun, pattern: RegExp) => {
    assert.equal(run.code, 5, run.stdout + run.stderr);
    assert.match(run.stderr, pattern);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.ok(!/at .*\.ts:\d+/.test(run.stderr), 'no stack trace');
    assertNoCredentials(run);
  };

  test('an http:// URL, missing credentials, --wait without --central, bad --wait', async () => {
    const inbox = fleet.centralInbox().length;
    await untouched(
      await cli(['test-alert', ...fleetArgs(fleet), '--central'], { SOPHOS_CENTRAL_API_URL: 'http://127.0.0.1:9' }),
      /^sls-play: SOPHOS_CENTRAL_API_URL=http:\/\/127\.0\.0\.1:9: Sophos Central is reached over HTTPS only/,
    );
    await untouched(
      await cli(['test-alert', ...fleetArgs(fleet), '--central'], { SOPHOS_CLIENT_SECRET: '' }),
      /^sls-play: --central needs a Sophos Central API credential: set SOPHOS_CLIENT_SECRET in the environment/,
    );
    await untouched(
      await cli(['test-alert', ...fleetArgs(fleet), '--wait', '1']),
      /^sls-play: --wait applies to the Sophos Central check: add --central/,
    );
    await untouched(
      await cli(['test-alert', ...fleetArgs(fleet), '--central', '--wait', 'soon']),
      /^sls-play: --wait soon: expected a number above 0/,
    );
    await untouched(
      await cli(['test-alert', ...fleetArgs(fleet), '--central'], { SOPHOS_CLIENT_SECRET: 'not-the-secret-0000' }),
      /^sls-play: --central: Sophos Central refused the API credential \(401 Unauthorized oauth\.invalid_client_secret/,
    );
    assert.equal(fleet.centralInbox().length, inbox, 'no test alert was triggered');
  });

  test('403 (no licence or role): named before any host is touched', async () => {
    const inbox = fleet.centralInbox().length;
    fake.fault({
      path: '/detections/v1/queries/detections/counts',
      status: 403,
      body: { error: 'forbidden', message: 'Access is denied', correlationId: 'c-e2e-403' },
    });
    await untouched(
      await cli(['test-alert', ...fleetArgs(fleet), '--central']),
      /^sls-play: --central: Sophos Central refused the detection counts \(403 Access is denied, correlationId c-e2e-403\): the tenant needs an XDR or MDR licence/,
    );
    assert.equal(fleet.centralInbox().length, inbox);
  });
});

describe('partner credentials', () => {
  test('without --tenant: a clear message (exit 5); with --tenant: that tenant is read', async () => {
    const tenant = '9d8c7b6a-2222-4333-8444-a55556666777';
    const partner = await new FakeCentral({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      idType: 'partner',
      tenantId: tenant,
      detections: held,
      pendingPolls: 0,
    }).start();
    try {
      const penv = { ...partner.env(POLL), SLS_API_KEY: API_KEY };
      const refused = await runCli(['test-alert', ...fleetArgs(fleet), '-l', 'cen-04', '--central'], { env: penv });
      assert.equal(refused.code, 5, refused.stderr);
      assert.match(
        refused.stderr,
        /^sls-play: SOPHOS_CLIENT_ID is a partner API credential: detections are read per tenant, so create the API credential in the tenant .* or pass --tenant <tenant id>\n$/,
      );
      const run = await runCli(
        ['test-alert', ...fleetArgs(fleet), '-l', 'cen-04', '--central', '--tenant', tenant, '--wait', '0.5'],
        { env: penv },
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /cen-04 +seen at/);
      assertNoCredentials(run);
    } finally {
      await partner.stop();
    }
  });
});

describe('status --central and deploy --central', () => {
  test("status --central adds each host's last test alert of the day", async () => {
    const run = await cli(['status', ...fleetArgs(fleet), '--central', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const doc = json(run);
    for (const name of NAMES) {
      assert.match(centralStep(doc, name)!.message, /^last "Alert Tester" in Sophos Central at \d{4}-/);
      assert.equal((doc.hosts[name]!.facts!.centralLastTestAlert as { hostField: string }).hostField, 'device.entity');
    }
    assertNoCredentials(run);
  });

  test("deploy without --central never calls Central; deploy --central proves the new config's alert arrived", async () => {
    const calls = fake.log.length;
    const plain = await cli(['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', '-l', 'cen-01', '--json']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(fake.log.length, calls, 'no call to Central without --central');
    assert.ok(!/Sophos Central:/.test(plain.stderr));

    const run = await cli([
      'deploy',
      ...fleetArgs(fleet),
      '-e',
      'sls_region=eu-west-1',
      '-e',
      'sls_force_restart=true',
      '--central',
      '--wait',
      '0.5',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const doc = json(run);
    for (const name of NAMES) assert.equal(centralStep(doc, name)?.status, 'ok', run.stderr);
    assertNoCredentials(run);
  });
});
