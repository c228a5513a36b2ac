// `sls_mcs_extra`: keys merged into the mcs entry (Sophos's newer page asks for a tenant id and
// more), on a real host: added, updated in place byte for byte, idempotent on a second run, taken
// out by the removal run, and a secret one masked in --diff and --json (and every other output).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { runCli } from '../helpers/cli.ts';
import { API_KEY, deploy, deployArgs, MCS_URL } from '../helpers/rollout.ts';

const TENANT = '5c0ffee0-aaaa-4bbb-8ccc-9ddddeeeefff';
const NEW_TENANT = '5c0ffee0-1111-4222-8333-944445555666';
const SECRET = 'mcs-extra-e2e-secret-value-61b2e0';
const extra = (tenant: string) =>
  JSON.stringify({ sls_mcs_extra: { tenant_id: tenant, export_events: true, client_secret: SECRET } });

let fleet: Fleet;

before(async () => {
  fleet = await startFleet([{ name: 'extra-01', config: OPERATOR_CONFIG }], { subnet: 224 });
});

after(async () => {
  await fleet?.stop();
});

const host = () => fleet.host('extra-01');

function assertNoSecret(run: { stdout: string; stderr: string }): void {
  for (const secret of [SECRET, API_KEY])
    assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), 'a secret appeared in the output');
}

test('the extra keys are added to the mcs entry, the secret one masked in --diff and --json', async () => {
  const run = await deploy(fleet, ['-e', extra(TENANT), '--diff']);
  assert.equal(run.code, 0, run.stderr);
  const config = host().readConfig()!;
  assert.ok(config.startsWith(OPERATOR_CONFIG), 'the operator config is kept byte for byte');
  assert.equal(
    config.slice(OPERATOR_CONFIG.length),
    `    - type: mcs\n      enabled: true\n      url: "${MCS_URL}"\n      api_key: "${API_KEY}"\n` +
      `      tenant_id: "${TENANT}"\n      export_events: true\n      client_secret: "${SECRET}"\n`,
  );
  const step = run.json.hosts['extra-01']!.steps.find((s) => s.name === 'config') as { diff?: string } | undefined;
  assert.match(step?.diff ?? '', /\+ +tenant_id: "5c0ffee0-aaaa/);
  assert.match(step?.diff ?? '', /\+ +client_secret: /);
  assert.match(run.stderr, /\+ +client_secret: /, 'the human diff shows the key');
  assertNoSecret(run);
});

test('a second run changes nothing', async () => {
  const before = host().readConfig();
  const run = await deploy(fleet, ['-e', extra(TENANT)]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json.hosts['extra-01']!.status, 'ok');
  assert.equal(host().readConfig(), before);
  assertNoSecret(run);
});

test('a changed value is updated in place: only its own bytes change', async () => {
  const before = host().readConfig()!;
  const run = await deploy(fleet, ['-e', extra(NEW_TENANT), '--diff']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(host().readConfig(), before.replace(TENANT, NEW_TENANT));
  assert.match(run.json.hosts['extra-01']!.steps.find((s) => s.name === 'config')!.message, /mcs tenant_id updated/);
  assertNoSecret(run);
});

test('the removal run takes the extra keys out with the mcs entry', async () => {
  const run = await deploy(fleet, ['-e', 'sls_central=absent']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(host().readConfig(), OPERATOR_CONFIG);
});

test('a mapping of the wrong shape is a one-line error before any host is touched (exit 5)', async () => {
  const owned = await runCli(deployArgs(fleet, ['-e', JSON.stringify({ sls_mcs_extra: { url: 'https://x' } })]), {
    env: { SLS_API_KEY: API_KEY },
  });
  assert.equal(owned.code, 5);
  assert.match(owned.stderr, /sls_mcs_extra\.url: url is set by sls-play itself/);
  assert.equal(host().readConfig(), OPERATOR_CONFIG);
});
