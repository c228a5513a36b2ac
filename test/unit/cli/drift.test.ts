import assert from 'node:assert/strict';
import { test } from 'node:test';
import { driftReasons, expectedMcsUrl, fleetDrift, type StatusFacts } from '../../../src/cli/drift.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { summarise } from '../../../src/runner/status.ts';

const IRELAND = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const good: StatusFacts = {
  sensorVersion: '5.10.0.3',
  versionOk: true,
  certPairs: [1, 2],
  mcsConfigured: true,
  mcsUrl: IRELAND,
  configError: null,
  service: 'active',
};

test('a compliant host has no drift', () => {
  assert.deepEqual(driftReasons(good, IRELAND), []);
  assert.deepEqual(driftReasons({ ...good, mcsUrl: `${IRELAND}/` }, IRELAND), []);
  assert.deepEqual(driftReasons(good, undefined), []);
});

test('each kind of drift is named', () => {
  assert.deepEqual(driftReasons({ ...good, sensorVersion: '5.4.1.3', versionOk: false }, IRELAND), [
    'sensor 5.4.1.3 is too old',
  ]);
  assert.deepEqual(driftReasons({ ...good, sensorVersion: null, versionOk: false }, IRELAND), ['no sensor found']);
  assert.deepEqual(driftReasons({ ...good, certPairs: [] }, IRELAND), ['no CA certificate pair']);
  assert.deepEqual(driftReasons({ ...good, mcsConfigured: false, mcsUrl: null }, IRELAND), ['no enabled mcs output']);
  assert.deepEqual(
    driftReasons({ ...good, mcsUrl: 'https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com' }, IRELAND),
    [`mcs output sends to https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com, not ${IRELAND}`],
  );
  assert.deepEqual(driftReasons({ ...good, service: 'inactive' }, IRELAND), ['service inactive, not active']);
  assert.equal(driftReasons({ ...good, versionOk: false, certPairs: [], service: 'failed' }, IRELAND).length, 3);
});

test('the expected URL comes from sls_mcs_url or sls_region; a bad one is exit 5', () => {
  assert.equal(expectedMcsUrl({ sls_region: 'eu-west-1' }, 'h'), IRELAND);
  assert.equal(expectedMcsUrl({}, 'h'), undefined);
  assert.throws(
    () => expectedMcsUrl({ sls_region: 'Atlantis' }, 'web-07'),
    (e: unknown) => e instanceof CliError && e.exitCode === 5 && /^web-07: unknown/.test(e.message),
  );
});

test('fleetDrift skips hosts without facts (unreachable): their exit status already says so', () => {
  const hosts = {
    a: { status: 'ok' as const, steps: [], facts: { ...good } },
    b: { status: 'ok' as const, steps: [], facts: { ...good, service: 'failed' } },
    c: { status: 'unreachable' as const, steps: [] },
  };
  assert.deepEqual(fleetDrift({ hosts, summary: summarise(hosts) }, new Map()), { b: 'service failed, not active' });
});

test('an owed handler and a config written after the sensor started are drift, with when', async () => {
  const owed = {
    playbook: 'SLS alert export to Sophos Central',
    handler: 'restart sensor',
    at: '2026-12-03T07:12:41.000Z',
  };
  assert.deepEqual(driftReasons({ ...good, owedHandlers: [owed] }, IRELAND), [
    'restart sensor owed since 2026-12-03 07:12:41 UTC (a run of "SLS alert export to Sophos Central" ended before its handlers ran); run deploy again',
  ]);
  const { configLoadedFrom } = await import('../../../src/sls/drift.ts');
  const changed = configLoadedFrom('1796281930 1796281920\n');
  assert.deepEqual(changed, { state: 'changed-after-start', configWrittenAt: 1796281930, sensorStartedAt: 1796281920 });
  assert.deepEqual(driftReasons({ ...good, configLoaded: changed }, IRELAND), [
    'config changed after the sensor started at 2026-12-03 07:12:00 UTC; restart it',
  ]);
  // written in the second the sensor started (a deploy's write then restart): loaded
  assert.equal(configLoadedFrom('1796281920 1796281920').state, 'loaded');
  assert.deepEqual(configLoadedFrom('none unknown'), { state: 'no-config' });
  assert.equal(configLoadedFrom('1796281920 unknown').state, 'unknown');
  assert.deepEqual(configLoadedFrom('1 2', 'the container cannot be asked'), {
    state: 'unknown',
    why: 'the container cannot be asked',
  });
  // a stopped sensor is drift already; its start time says nothing more
  assert.deepEqual(driftReasons({ ...good, service: 'inactive', configLoaded: changed }, IRELAND), [
    'service inactive, not active',
  ]);
});

test('the container a docker or podman exec prefix names, when it says so plainly', async () => {
  const { containerOf } = await import('../../../src/sls/sensor-clock.ts');
  assert.deepEqual(containerOf('docker exec sls'), { tool: 'docker', name: 'sls' });
  assert.deepEqual(containerOf('podman exec -i sensor_1'), { tool: 'podman', name: 'sensor_1' });
  assert.equal(containerOf('docker exec -u root sls'), undefined);
  assert.equal(containerOf('kubectl exec -n sec sls --'), undefined);
  assert.equal(containerOf(''), undefined);
});
