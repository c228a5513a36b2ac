// `sls-play deploy` end to end on healthy hosts: the first run converges them (config on the host,
// one restart, the test alert in Central's inbox), the second changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { FleetHost } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, type CliRun } from '../helpers/cli.ts';
import {
  assertNoStrayFiles,
  assertSecretAbsent,
  backupsOf,
  parseJsonReport,
  snapshotFiles,
  sophosFile,
  type JsonReport,
} from './deploy-helpers.ts';

const KEY = 'tok-Deploy-7Qx9Zr4Lm2Vw8Kp1';
const URL_EU = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const HOSTS = ['web-01', 'db-01', 'new-01', 'edge-01', 'pair-01', 'loose-01'];

let first: CliRun;
let firstJson: JsonReport;
let second: CliRun;
let secondJson: JsonReport;
const before1 = new Map<string, { config: string | null; restarts: number }>();
const after1 = new Map<string, { restarts: number; dir: string[]; config: string | null }>();

const deploy = (...extra: string[]) =>
  runCli(['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', '--json', ...extra], {
    env: { SLS_API_KEY: KEY },
  });

const outputs = (host: FleetHost) => YAML.parse(host.readConfig()!).alert_output.outputs as Record<string, unknown>[];

const fleet = useFleet(
  [
    { name: 'web-01', version: '5.10.0.3', config: OPERATOR_CONFIG },
    { name: 'db-01', version: '5.11.0', config: MCS_CONFIG },
    { name: 'new-01', version: '5.5.2.22' },
    { name: 'edge-01', version: '5.9.1.7', versionFlag: false, config: OPERATOR_CONFIG },
    { name: 'pair-01', certPairs: [1], config: OPERATOR_CONFIG },
    { name: 'loose-01', config: OPERATOR_CONFIG, configMode: 0o644 },
  ],
  { subnet: 100 },
  async () => {
    for (const h of fleet.hosts) before1.set(h.name, { config: h.readConfig(), restarts: h.restartCount() });
    first = await deploy('--diff');
    firstJson = parseJsonReport(first.stdout);
    for (const h of fleet.hosts)
      after1.set(h.name, { restarts: h.restartCount(), dir: h.listSophosDir(), config: h.readConfig() });
    second = await deploy();
    secondJson = parseJsonReport(second.stdout);
  },
);

test('first run: exit 0, every host changed, the --json document has the documented shape', () => {
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(Object.keys(firstJson.hosts).sort(), [...HOSTS].sort());
  assert.deepEqual(firstJson.summary, { ok: 0, changed: HOSTS.length, failed: 0, unreachable: 0, skipped: 0 });
  for (const name of HOSTS) {
    const host = firstJson.hosts[name]!;
    assert.equal(host.status, 'changed', `${name}: ${JSON.stringify(host)}`);
    assert.deepEqual(
      host.steps.map((s) => s.name),
      ['gather facts', 'sensor version', 'certificates', 'config', 'restart sensor', 'test alert'],
    );
    for (const s of host.steps) {
      assert.ok(
        ['ok', 'changed', 'failed', 'unreachable', 'skipped'].includes(s.status),
        `${name} ${s.name}: ${s.status}`,
      );
      assert.equal(typeof s.message, 'string');
      assert.ok(s.message.length > 0);
    }
    const byName = Object.fromEntries(host.steps.map((s) => [s.name, s]));
    assert.equal(byName.config!.status, 'changed');
    assert.equal(byName['restart sensor']!.status, 'changed');
    assert.equal(byName['test alert']!.status, 'ok');
    // --diff puts the diff into the config step, key redacted
    assert.match(
      byName.config!.diff ?? '',
      /^--- (\/dev\/null|a\/etc\/sophos\/runtimedetections\.yaml)\n\+\+\+ b\/etc\/sophos\/runtimedetections\.yaml\n/,
    );
    assert.match(
      byName.config!.diff ?? '',
      /^\+ +url: "https:\/\/mcs2-cloudstation-eu-west-1\.prod\.hydra\.sophos\.com"$/m,
    );
    assert.match(byName.config!.diff ?? '', /^\+ +api_key: \*+/m);
  }
  // with --json, stdout is the document and nothing else; the human lines went to stderr
  assert.match(first.stderr, /changed: \[web-01\] config/);
  assert.match(first.stderr, /^6 hosts: 0 ok, 6 changed, 0 failed, 0 unreachable, 0 skipped$/m);
  assert.doesNotMatch(first.stdout.trim().slice(1, -1), /^(ok|changed|fatal): \[/m);
});

test('a healthy host converges: mcs output on the host, comments and operator outputs kept, one restart, running the new config', () => {
  const web = fleet.host('web-01');
  const text = web.readConfig()!;
  const want = YAML.parse(OPERATOR_CONFIG);
  want.alert_output.outputs.push({ type: 'mcs', enabled: true, url: URL_EU, api_key: KEY });
  assert.deepEqual(YAML.parse(text), want);
  // every operator key kept with its value
  for (const key of ['customer_id', 'cloud_meta', 'send_labs_telemetry', 'endpoint_telemetry_enabled']) {
    assert.deepEqual(YAML.parse(text)[key], YAML.parse(OPERATOR_CONFIG)[key], key);
  }
  // every comment and every original line still there, in order, as the operator wrote it
  for (const comment of OPERATOR_CONFIG.split('\n').filter((l) => l.trim().startsWith('#'))) {
    assert.ok(text.includes(comment), `comment lost: ${comment}`);
  }
  assert.ok(text.startsWith(OPERATOR_CONFIG), `original text not kept as a prefix:\n${text}`);
  assert.equal(web.configMode(), 0o600);
  assert.equal(after1.get('web-01')!.restarts, before1.get('web-01')!.restarts + 1);
  assert.equal(web.serviceState(), 'active');
  assert.equal(web.loadedConfig(), text);
  // the stdout output let the playbook see the test alert in the journal
  assert.match(web.journal(), /sophoslinuxsensor\[\d+\]: Alert triggered: Alert Tester$/m);
  const step = firstJson.hosts['web-01']!.steps.find((s) => s.name === 'test alert')!;
  assert.match(step.message, /Alert Tester/);
  assert.match(step.message, /20 minutes/);
});

test('the test alert of every converged host reached Central with the right URL and exactly the key given', () => {
  const inbox = fleet.centralInbox();
  assert.deepEqual(
    inbox.map((d) => d.host).sort(),
    [...HOSTS].sort(),
    'one delivery per host, from the first run only',
  );
  for (const d of inbox) {
    assert.equal(d.url, URL_EU, d.host);
    assert.equal(d.apiKey, KEY, d.host);
    assert.equal(d.alert, 'Alert Tester');
  }
});

test('an existing mcs entry is updated in place, not duplicated; its neighbours and comment kept', () => {
  const db = fleet.host('db-01');
  const outs = outputs(db);
  assert.equal(outs.filter((o) => o.type === 'mcs').length, 1);
  const want = YAML.parse(MCS_CONFIG);
  want.alert_output.outputs[1].url = URL_EU;
  want.alert_output.outputs[1].api_key = KEY;
  assert.deepEqual(YAML.parse(db.readConfig()!), want);
  // same position as before, the old key gone from the live config (it is in the backup only)
  assert.equal(outs[1]!.type, 'mcs');
  assert.ok(db.readConfig()!.startsWith('# Sophos Linux Sensor runtime detections\n'));
  assert.doesNotMatch(db.readConfig()!, /old-repository-token-0000/);
  const step = firstJson.hosts['db-01']!.steps.find((s) => s.name === 'config')!;
  assert.match(step.message, /updated/);
  assert.equal(after1.get('db-01')!.restarts, before1.get('db-01')!.restarts + 1);
});

test('no config file yet: created with only the mcs output, mode 0600, no backup', () => {
  const host = fleet.host('new-01');
  assert.equal(before1.get('new-01')!.config, null);
  assert.deepEqual(YAML.parse(host.readConfig()!), {
    alert_output: { outputs: [{ type: 'mcs', enabled: true, url: URL_EU, api_key: KEY }] },
  });
  assert.equal(host.configMode(), 0o600);
  assert.deepEqual(backupsOf(after1.get('new-01')!.dir), []);
  assert.equal(host.serviceState(), 'active');
  assert.equal(after1.get('new-01')!.restarts, before1.get('new-01')!.restarts + 1);
  const steps = firstJson.hosts['new-01']!.steps;
  assert.match(steps.find((s) => s.name === 'gather facts')!.message, /no config file/);
  assert.match(steps.find((s) => s.name === 'config')!.message, /new file/);
  // no stdout output: nothing to see locally, and the step says so
  assert.match(steps.find((s) => s.name === 'test alert')!.message, /no enabled stdout output/);
});

test('a world-readable config (0644) is written back 0600, the key no longer readable by others', () => {
  const host = fleet.host('loose-01');
  assert.equal(host.configMode(), 0o600);
  assert.match(firstJson.hosts['loose-01']!.steps.find((s) => s.name === 'config')!.message, /mode 644 → 600/);
  assert.ok(outputs(host).some((o) => o.type === 'mcs' && o.api_key === KEY));
  // the backup keeps the old content, but not the old loose mode
  const backups = Object.entries(snapshotFiles(host)).filter(([name]) => name.endsWith('.bak'));
  assert.equal(backups.length, 1);
  assert.equal(backups[0]![1].mode, 0o600);
});

test('a sensor without a -version flag: version read from dpkg, and the step names the source', () => {
  const step = firstJson.hosts['edge-01']!.steps.find((s) => s.name === 'sensor version')!;
  assert.equal(step.status, 'ok');
  assert.match(step.message, /5\.9\.1\.7/);
  assert.match(step.message, /dpkg/);
  assert.match(
    firstJson.hosts['web-01']!.steps.find((s) => s.name === 'sensor version')!.message,
    /5\.10\.0\.3.*-version/,
  );
  assert.equal(fleet.host('edge-01').serviceState(), 'active');
  assert.ok(outputs(fleet.host('edge-01')).some((o) => o.type === 'mcs' && o.url === URL_EU));
});

test('one certificate pair: a warning, and the host still converges', () => {
  const host = firstJson.hosts['pair-01']!;
  const certs = host.steps.find((s) => s.name === 'certificates')!;
  assert.equal(certs.status, 'ok');
  assert.match(certs.message, /only one certificate pair \(sophosca1\)/);
  assert.ok(
    (certs.warnings ?? []).some((w) => /one certificate pair/.test(w)),
    JSON.stringify(certs),
  );
  assert.match(first.stderr, /^warning: \[pair-01\] certificates: .*one certificate pair/m);
  assert.equal(host.status, 'changed');
  assert.ok(outputs(fleet.host('pair-01')).some((o) => o.type === 'mcs' && o.api_key === KEY));
  assert.equal(fleet.host('pair-01').serviceState(), 'active');
  // two pairs is not a warning
  assert.match(
    firstJson.hosts['web-01']!.steps.find((s) => s.name === 'certificates')!.message,
    /^2 certificate pairs/,
  );
});

test('every changed file left a timestamped backup holding the original bytes, and no temporary file', () => {
  for (const name of ['web-01', 'db-01', 'edge-01', 'pair-01', 'loose-01']) {
    const backups = backupsOf(after1.get(name)!.dir);
    assert.equal(backups.length, 1, `${name}: ${after1.get(name)!.dir.join(' ')}`);
    assert.match(backups[0]!, /^runtimedetections\.yaml\.\d{8}-\d{6}\.bak$/);
    assert.equal(sophosFile(fleet.host(name), backups[0]!), before1.get(name)!.config);
  }
  for (const h of fleet.hosts) assertNoStrayFiles(h);
});

test('second run: exit 0, every host ok, nothing written, nothing restarted, no new alert', () => {
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(secondJson.summary, { ok: HOSTS.length, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
  for (const h of fleet.hosts) {
    const report = secondJson.hosts[h.name]!;
    assert.equal(report.status, 'ok', `${h.name}: ${JSON.stringify(report.steps)}`);
    assert.ok(
      report.steps.every((s) => s.status === 'ok'),
      h.name,
    );
    assert.deepEqual(
      report.steps.map((s) => s.name),
      ['gather facts', 'sensor version', 'certificates', 'config'],
    );
    assert.match(report.steps.find((s) => s.name === 'config')!.message, /already configured/);
    assert.equal(h.restartCount(), after1.get(h.name)!.restarts, `${h.name} restarted again`);
    assert.equal(h.readConfig(), after1.get(h.name)!.config);
    assert.deepEqual(h.listSophosDir(), after1.get(h.name)!.dir, `${h.name}: a new backup or file`);
    assert.equal(h.serviceState(), 'active');
  }
  assert.equal(fleet.centralInbox().length, HOSTS.length);
  assert.match(second.stderr, /^6 hosts: 6 ok, 0 changed, 0 failed, 0 unreachable, 0 skipped$/m);
});

test('the API key appears nowhere in the output of either run', () => {
  for (const run of [first, second]) assertSecretAbsent(KEY, run);
  // but the key really is on the hosts (so the check above is not vacuous)
  assert.ok(fleet.host('web-01').readConfig()!.includes(KEY));
});
