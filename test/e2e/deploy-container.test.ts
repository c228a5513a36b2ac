// `sls-play deploy` end to end on containerised sensors (`docker exec sls`, `docker restart sls`):
// the certificate lists point at the image's CA files, a .crt in the revocation list is fixed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { FleetHost } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { CONTAINER_CONFIG, CONTAINER_CONFIG_CRT_AS_CRL, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, type CliRun } from '../helpers/cli.ts';
import { assertNoStrayFiles, assertSecretAbsent, parseJsonReport, step, type JsonReport } from './deploy-helpers.ts';

const KEY = 'tok-Container-8Fk3Ld6Sz0Hy2Wn5';
const URL_SYD = 'https://mcs2.stn100syd.ctr.sophos.com';
const CERTS = '/etc/sophos-certs';
const CONTAINER_VARS = {
  sls_deployment: 'container',
  sls_exec_prefix: 'docker exec sls',
  sls_restart_command: 'docker restart sls',
};
const MCS = { type: 'mcs', enabled: true, url: URL_SYD, api_key: KEY };

let first: CliRun;
let firstJson: JsonReport;
let second: CliRun;
let secondJson: JsonReport;
const restartsAfterFirst = new Map<string, number>();
const configAfterFirst = new Map<string, string | null>();

const parsed = (host: FleetHost) => YAML.parse(host.readConfig()!);

const fleet = useFleet(
  [
    { name: 'box-01', deployment: 'container', config: CONTAINER_CONFIG_CRT_AS_CRL, vars: CONTAINER_VARS },
    { name: 'box-02', deployment: 'container', vars: CONTAINER_VARS },
    {
      name: 'box-03',
      deployment: 'container',
      containerCertPairs: [1],
      config: OPERATOR_CONFIG,
      vars: CONTAINER_VARS,
    },
  ],
  { subnet: 103 },
  async () => {
    const deploy = (...extra: string[]) =>
      runCli(['deploy', ...fleetArgs(fleet), '-e', 'sls_mcs_url=mcs2.stn100syd.ctr.sophos.com', '--json', ...extra], {
        env: { SLS_API_KEY: KEY },
      });
    first = await deploy('--diff');
    firstJson = parseJsonReport(first.stdout);
    for (const h of fleet.hosts) {
      restartsAfterFirst.set(h.name, h.restartCount());
      configAfterFirst.set(h.name, h.readConfig());
    }
    second = await deploy();
    secondJson = parseJsonReport(second.stdout);
  },
);

test('first run: every container host changed, restarted once with docker restart, and its test alert reached Central', () => {
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(firstJson.summary, { ok: 0, changed: 3, failed: 0, unreachable: 0, skipped: 0 });
  for (const h of fleet.hosts) {
    assert.equal(firstJson.hosts[h.name]!.status, 'changed', h.name);
    assert.equal(restartsAfterFirst.get(h.name), 1, `${h.name}: restarts`);
    assert.equal(h.serviceState(), 'active');
    assert.equal(h.loadedConfig(), h.readConfig(), `${h.name} runs the new config`);
    // the certificates were looked for inside the container
    assert.match(step(firstJson, h.name, 'certificates').message, /in \/etc\/sophos-certs/);
  }
  const inbox = fleet.centralInbox();
  assert.deepEqual(inbox.map((d) => d.host).sort(), ['box-01', 'box-02', 'box-03']);
  for (const d of inbox) assert.deepEqual([d.url, d.apiKey], [URL_SYD, KEY], d.host);
  // box-01 has a stdout output: the alert was seen in the journal
  assert.match(step(firstJson, 'box-01', 'test alert').message, /Alert Tester/);
});

test("the vendor example's .crt in certificate_revocation_list is fixed and reported; the rest of the file kept", () => {
  const host = fleet.host('box-01');
  const want = YAML.parse(CONTAINER_CONFIG); // the correct lists
  want.alert_output.outputs.push(MCS);
  assert.deepEqual(parsed(host), want);
  assert.ok(host.readConfig()!.startsWith('# runtimedetections.yaml mounted into the sls container\n'), 'comment lost');
  const config = step(firstJson, 'box-01', 'config');
  assert.match(config.message, /certificate_revocation_list/);
  assert.match(config.message, /sophosca2\.crt/);
  assert.match(config.diff ?? '', /^-certificate_revocation_list: .*sophosca2\.crt"\]$/m);
  assert.match(config.diff ?? '', /^\+certificate_revocation_list: .*sophosca2\.crl"\]$/m);
  assert.match(first.stderr, /^changed: \[box-01\] config: .*sophosca2\.crt/m);
});

test('a container host without a config gets one with mcs_certs, the revocation list and the mcs output, mode 0600', () => {
  const host = fleet.host('box-02');
  assert.deepEqual(parsed(host), {
    mcs_certs: [`${CERTS}/sophosca1.crt`, `${CERTS}/sophosca2.crt`],
    certificate_revocation_list: [`${CERTS}/sophosca1.crl`, `${CERTS}/sophosca2.crl`],
    alert_output: { outputs: [MCS] },
  });
  assert.equal(host.configMode(), 0o600);
});

test("one certificate pair in the image: a warning, the lists name that pair only, the operator's config kept", () => {
  const host = fleet.host('box-03');
  const certs = step(firstJson, 'box-03', 'certificates');
  assert.equal(certs.status, 'ok');
  assert.match(certs.message, /only one certificate pair \(sophosca1\) in \/etc\/sophos-certs/);
  const config = parsed(host);
  assert.deepEqual(config.mcs_certs, [`${CERTS}/sophosca1.crt`]);
  assert.deepEqual(config.certificate_revocation_list, [`${CERTS}/sophosca1.crl`]);
  const want = YAML.parse(OPERATOR_CONFIG);
  assert.deepEqual(
    { ...config, mcs_certs: undefined, certificate_revocation_list: undefined },
    {
      ...want,
      mcs_certs: undefined,
      certificate_revocation_list: undefined,
      alert_output: { outputs: [...want.alert_output.outputs, MCS] },
    },
  );
  for (const comment of OPERATOR_CONFIG.split('\n').filter((l) => l.trim().startsWith('#'))) {
    assert.ok(host.readConfig()!.includes(comment), `comment lost: ${comment}`);
  }
});

test("only .crl files in every certificate_revocation_list, only .crt in every mcs_certs, all in the image's directory", () => {
  for (const h of fleet.hosts) {
    const config = parsed(h);
    assert.ok(config.certificate_revocation_list.length > 0);
    for (const f of config.certificate_revocation_list)
      assert.match(f, /^\/etc\/sophos-certs\/sophosca\d+\.crl$/, h.name);
    for (const f of config.mcs_certs) assert.match(f, /^\/etc\/sophos-certs\/sophosca\d+\.crt$/, h.name);
  }
});

test('second run: nothing changes, no container restarted', () => {
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(secondJson.summary, { ok: 3, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
  for (const h of fleet.hosts) {
    assert.equal(secondJson.hosts[h.name]!.status, 'ok', `${h.name}: ${JSON.stringify(secondJson.hosts[h.name])}`);
    assert.equal(h.restartCount(), restartsAfterFirst.get(h.name), `${h.name} restarted`);
    assert.equal(h.readConfig(), configAfterFirst.get(h.name));
  }
  assert.equal(fleet.centralInbox().length, 3);
});

test('no temporary files, and the key in no output', () => {
  for (const h of fleet.hosts) assertNoStrayFiles(h);
  assertSecretAbsent(KEY, first, 'first run');
  assertSecretAbsent(KEY, second, 'second run');
});
