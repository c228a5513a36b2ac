// Can each host reach its MCS endpoint? Probed from the host in the run's first command (the
// gather), against real listeners on 127.0.0.0/8: the fleet's TLS endpoint that every region's
// host name leads to, an address where nothing listens, a listener that accepts and never answers,
// a name under the reserved .invalid TLD (the hosts' name server is a dead address on loopback, so
// no lookup leaves the machine), and an HTTP CONNECT proxy named in the sensor unit's environment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { startConnectProxy, startSilentListener } from '../fleet/mcs-endpoint.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';
import { deploy, MCS_URL, parseJson, type RunJson } from '../helpers/rollout.ts';

const SUBNET = 223;
const NOTHING_THERE = `https://127.${SUBNET}.254.2`;
const PROXY = { address: `127.${SUBNET}.254.4`, port: 3128 };
const IRELAND_HOST = new URL(MCS_URL).hostname;
const CUT_CONFIG = `${OPERATOR_CONFIG}    - type: mcs\n      enabled: true\n      url: "${NOTHING_THERE}"\n      api_key: "mcs-endpoint-e2e-key-5d1e"\n`;

let fleet: Fleet;
let silent: Awaited<ReturnType<typeof startSilentListener>>;
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;

before(async () => {
  fleet = await startFleet(
    [
      { name: 'reach-01', config: OPERATOR_CONFIG },
      { name: 'probe-01', config: OPERATOR_CONFIG },
      {
        name: 'proxied-01',
        config: OPERATOR_CONFIG,
        unitEnvironment: [`HTTPS_PROXY=http://${PROXY.address}:${PROXY.port}`, 'LANG=C'],
      },
      {
        name: 'box-01',
        deployment: 'container',
        vars: { sls_deployment: 'container', sls_exec_prefix: 'docker exec sls' },
      },
      { name: 'cut-01', config: CUT_CONFIG, vars: { sls_mcs_url: NOTHING_THERE } },
    ],
    { subnet: SUBNET },
  );
  silent = await startSilentListener(`127.${SUBNET}.254.3`);
  proxy = await startConnectProxy(PROXY.address, PROXY.port, { [IRELAND_HOST]: fleet.mcsEndpoint.address });
});

after(async () => {
  await silent?.stop();
  await proxy?.stop();
  await fleet?.stop();
});

const endpointStep = (json: RunJson, host: string) => json.hosts[host]?.steps.find((s) => s.name === 'mcs endpoint');
/** How long the host's first command (the gather, with the probe) took, from the document's step times. */
const gatherSeconds = (json: RunJson, host: string) =>
  Number((json.hosts[host]?.steps.find((s) => s.name === 'gather facts') as { seconds?: number } | undefined)?.seconds);

/** A deploy of one host; how long it took, its commands in the sshd log and the endpoint's handshakes. */
async function deployOne(host: string, extra: string[] = []) {
  const h = fleet.host(host);
  const [commands, handshakes] = [h.sshActivity().commands, fleet.mcsEndpoint.handshakes()];
  const run = await deploy(fleet, ['-l', host, ...extra]);
  return {
    ...run,
    commands: h.sshActivity().commands - commands,
    handshakes: fleet.mcsEndpoint.handshakes() - handshakes,
  };
}

/** An unreachable endpoint: the host fails at `mcs endpoint`, in its one command, before anything changes. */
function assertStoppedBeforeConfig(run: Awaited<ReturnType<typeof deployOne>>, host: string, reason: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  const step = endpointStep(run.json, host)!;
  assert.equal(step.status, 'failed');
  assert.match(step.message, reason);
  assert.match(step.message, /alerts would never reach Sophos Central, so the config was not touched/);
  assert.deepEqual(
    run.json.hosts[host]!.steps.map((s) => s.name),
    ['gather facts', 'sensor version', 'certificates', 'mcs endpoint'],
  );
  assert.equal(fleet.host(host).readConfig(), host === 'box-01' ? null : OPERATOR_CONFIG, `${host}: config untouched`);
  assert.equal(fleet.host(host).restartCount(), 0, `${host}: never restarted`);
  assert.equal(run.commands, 1, `${host}: the probe took no command of its own`);
}

test('a host whose endpoint answers TLS passes, probed inside the first command', async () => {
  const run = await deployOne('reach-01');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(endpointStep(run.json, 'reach-01')?.message, `${IRELAND_HOST}:443: reachable (TCP and TLS) (curl)`);
  assert.equal(run.handshakes, 1, 'one TLS handshake with the endpoint');
  assert.equal(run.json.hosts['reach-01']!.status, 'changed');
  assert.ok(fleet.host('reach-01').readConfig()?.includes(MCS_URL));
});

test('an address where nothing listens fails as refused, before the config is touched; --check says the same', async () => {
  const run = await deployOne('probe-01', ['-e', `sls_mcs_url=${NOTHING_THERE}`]);
  assertStoppedBeforeConfig(
    run,
    'probe-01',
    new RegExp(`^cannot reach the MCS endpoint 127\\.${SUBNET}\\.254\\.2:443: connection refused \\(curl\\)`),
  );
  assert.match(run.stderr, /fatal: \[probe-01\] mcs endpoint: cannot reach the MCS endpoint/);
  const check = await deployOne('probe-01', ['-e', `sls_mcs_url=${NOTHING_THERE}`, '--check']);
  assert.equal(check.code, 2, check.stderr);
  assert.equal(endpointStep(check.json, 'probe-01')?.message, endpointStep(run.json, 'probe-01')?.message);
});

test('a listener that accepts and never answers fails as timed out, within sls_mcs_probe_timeout', async () => {
  const refused = await deployOne('probe-01', ['-e', `sls_mcs_url=${NOTHING_THERE}`]);
  const run = await deployOne('probe-01', [
    '-e',
    `sls_mcs_url=https://127.${SUBNET}.254.3:${silent.port}`,
    '-e',
    'sls_mcs_probe_timeout=2',
  ]);
  assertStoppedBeforeConfig(run, 'probe-01', /: timed out in the TLS handshake \(curl\)/);
  // the gather (the one command the probe rides in), against a refused probe's on the same host
  const waited = gatherSeconds(run.json, 'probe-01') - gatherSeconds(refused.json, 'probe-01');
  assert.ok(waited >= 1.5 && waited < 5, `the probe waited ${waited} s beyond a refused one, for a 2 s timeout`);
});

test('a name that does not resolve fails as not resolved, at once and without leaving 127.0.0.0/8', async () => {
  const run = await deployOne('probe-01', ['-e', 'sls_mcs_url=https://mcs.sls-play-probe.invalid']);
  assertStoppedBeforeConfig(
    run,
    'probe-01',
    /^cannot reach the MCS endpoint mcs\.sls-play-probe\.invalid:443: name not resolved \(curl\)/,
  );
  const refused = await deployOne('probe-01', ['-e', `sls_mcs_url=${NOTHING_THERE}`]);
  const beyond = gatherSeconds(run.json, 'probe-01') - gatherSeconds(refused.json, 'probe-01');
  assert.ok(beyond < 2.5, `not resolved took ${beyond} s longer than a refused connection (the timeout is 5 s)`);
});

test("the proxy in the sensor unit's environment is used, and said", async () => {
  const run = await deployOne('proxied-01');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    endpointStep(run.json, 'proxied-01')?.message,
    `${IRELAND_HOST}:443: reachable (TCP and TLS) (curl, through proxy ${PROXY.address}:${PROXY.port})`,
  );
  assert.deepEqual(proxy.targets, [`${IRELAND_HOST}:443`], 'the probe went through the proxy');
  assert.equal(run.handshakes, 1, 'and through it to the endpoint');
});

test('a container deployment probes from inside the container', async () => {
  const run = await deployOne('box-01');
  assert.equal(run.code, 0, run.stderr);
  assert.equal(
    endpointStep(run.json, 'box-01')?.message,
    `${IRELAND_HOST}:443: reachable (TCP and TLS) (curl, from inside the container)`,
  );
});

test('sls_mcs_probe=false: no probe, and an endpoint the host cannot reach does not stop the deploy', async () => {
  const run = await deployOne('probe-01', ['-e', 'sls_mcs_probe=false']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(endpointStep(run.json, 'probe-01')?.message, 'not probed (sls_mcs_probe is false)');
  assert.equal(run.handshakes, 0, 'nothing was probed');
  assert.ok(fleet.host('probe-01').readConfig()?.includes(MCS_URL));
});

test('the removal run (sls_central=absent) does not probe', async () => {
  const run = await deployOne('reach-01', ['-e', 'sls_central=absent']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.handshakes, 0);
  assert.equal(endpointStep(run.json, 'reach-01')?.status, 'skipped');
  assert.equal(fleet.host('reach-01').readConfig(), OPERATOR_CONFIG);
});

test('status: a reachability column, and a configured host that cannot reach its endpoint is drift (exit 2 with --fail-on-drift)', async () => {
  const args = ['status', ...fleetArgs(fleet), '-l', 'proxied-01,cut-01', '-e', 'sls_region=eu-west-1'];
  const table = await runCli(args);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^host +sensor +version ok +cert pairs +mcs output +mcs reachable +service/m);
  assert.match(table.stdout, /^proxied-01 +5\.10\.0\.3 +yes +1,2 +Ireland +yes +active/m);
  assert.match(
    table.stdout,
    new RegExp(`^cut-01 .* https://127\\.${SUBNET}\\.254\\.2 +connection refused +active`, 'm'),
  );

  const drift = await runCli([...args, '--fail-on-drift']);
  assert.equal(drift.code, 2, drift.stdout + drift.stderr);
  assert.match(
    drift.stdout,
    new RegExp(
      `^drift: \\[cut-01\\] cannot reach 127\\.${SUBNET}\\.254\\.2:443: connection refused \\(curl\\); alerts would never reach Sophos Central$`,
      'm',
    ),
  );
  assert.doesNotMatch(drift.stdout, /drift: \[proxied-01\]/);

  const json = parseJson(await runCli([...args, '--json'])) as RunJson & {
    hosts: Record<
      string,
      { facts?: { mcsReachable?: string; mcsReach?: { reachable: string; reason: string; proxy?: string } } }
    >;
  };
  assert.equal(json.hosts['cut-01']!.facts?.mcsReachable, 'connection refused');
  assert.deepEqual(
    { ...json.hosts['cut-01']!.facts?.mcsReach, client: undefined },
    { reachable: 'no', reason: 'refused', endpoint: `127.${SUBNET}.254.2:443`, client: undefined, from: 'host' },
  );
  assert.equal(json.hosts['proxied-01']!.facts?.mcsReach?.proxy, `${PROXY.address}:${PROXY.port}`);
});
