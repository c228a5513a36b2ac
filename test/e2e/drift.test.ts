// `status --fail-on-drift` for cron jobs and CI: exit 2, naming each host and why, when any
// host is not compliant (sensor too old, no certificates, no or wrong mcs output, service not
// active); 0 when every host is; without the option `status` stays a report (exit 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useFleet } from '../helpers/fleet.ts';
import { MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';

const KEY = 'e2e-drift-tenant-key-41c7d2';
const IRELAND = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const CONVERGED = `${OPERATOR_CONFIG}    - type: mcs
      enabled: true
      url: "${IRELAND}"
      api_key: "${KEY}"
`;

const fleet = useFleet(
  [
    { name: 'good-01', config: CONVERGED },
    { name: 'good-02', config: CONVERGED },
    { name: 'old-01', version: '5.4.1.3', config: CONVERGED },
    { name: 'nocert-01', certPairs: [], config: CONVERGED },
    { name: 'nomcs-01', config: OPERATOR_CONFIG },
    { name: 'wrong-01', config: MCS_CONFIG },
    { name: 'stopped-01', config: CONVERGED },
  ],
  { subnet: 172 },
  async () => {
    const stop = await runCli([
      'exec',
      ...fleetArgs(fleet),
      'stopped-01',
      '--',
      'systemctl',
      'stop',
      'sophoslinuxsensor',
    ]);
    assert.equal(stop.code, 0, stop.stderr);
  },
);

const status = (extra: string[]) => runCli(['status', ...fleetArgs(fleet), ...extra], { env: { SLS_API_KEY: KEY } });
const driftLines = (stdout: string) =>
  new Map([...stdout.matchAll(/^drift: \[([^\]]+)\] (.*)$/gm)].map((m) => [m[1]!, m[2]!]));

test('--fail-on-drift exits 2 and names every host that is not compliant, and why', async () => {
  const run = await status(['--fail-on-drift', '-e', 'sls_region=eu-west-1']);
  assert.equal(run.code, 2, run.stdout + run.stderr);
  const drift = driftLines(run.stdout);
  assert.deepEqual([...drift.keys()].sort(), ['nocert-01', 'nomcs-01', 'old-01', 'stopped-01', 'wrong-01'], run.stdout);
  assert.match(drift.get('old-01')!, /sensor 5\.4\.1\.3 is too old/);
  assert.match(drift.get('nocert-01')!, /no CA certificate pair/);
  assert.match(drift.get('nomcs-01')!, /no enabled mcs output/);
  assert.match(
    drift.get('wrong-01')!,
    new RegExp(
      `sends to https://mcs2-cloudstation-us-west-2\\.prod\\.hydra\\.sophos\\.com, not ${IRELAND.replaceAll('.', '\\.')}`,
    ),
  );
  assert.match(drift.get('stopped-01')!, /service inactive, not active/);
  assert.ok(!run.stdout.includes(KEY) && !run.stderr.includes(KEY));
});

test('--fail-on-drift --json: the document lists the drift; exit 0 when every host is compliant', async () => {
  const run = await status(['--fail-on-drift', '-e', 'sls_region=eu-west-1', '--json']);
  assert.equal(run.code, 2);
  const doc = JSON.parse(run.stdout);
  assert.deepEqual(Object.keys(doc.drift).sort(), ['nocert-01', 'nomcs-01', 'old-01', 'stopped-01', 'wrong-01']);
  const clean = await status(['--fail-on-drift', '-e', 'sls_region=eu-west-1', '-l', 'good-*']);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.doesNotMatch(clean.stdout, /^drift:/m);
});

test('without a region any enabled mcs output is compliant; without the option status is a report (exit 0)', async () => {
  const any = await status(['--fail-on-drift', '-l', 'wrong-01,good-01']);
  assert.equal(any.code, 0, any.stdout + any.stderr);
  const plain = await status([]);
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  assert.doesNotMatch(plain.stdout, /^drift:/m);
});

test('--fail-on-drift with an unknown region is a one-line error, exit 5, before any host is touched', async () => {
  const run = await status(['--fail-on-drift', '-e', 'sls_region=Atlantis']);
  assert.equal(run.code, 5);
  assert.match(run.stderr, /^sls-play: [a-z0-9-]+: unknown Sophos Central region "Atlantis"/);
});
