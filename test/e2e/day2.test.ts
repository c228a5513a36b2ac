// The day-2 commands through the real CLI on the simulated fleet: `status` (read-only audit),
// `test-alert -l <pattern>`, and mending one host with `deploy -l … --diff` and `exec`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetHost } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, execOn } from '../helpers/cli.ts';

const API_KEY = 'e2e-day2-tenant-key-5f1a9c';
const IRELAND = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const env = { SLS_API_KEY: API_KEY };

/** What a converged host's config looks like: the operator's outputs plus mcs to Ireland. */
const CONVERGED = `${OPERATOR_CONFIG}    - type: mcs
      enabled: true
      url: "${IRELAND}"
      api_key: "${API_KEY}"
`;
/** Sends to Central only: no stdout output, so the test alert cannot be seen on the host. */
const MCS_ONLY = `customer_id: 9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d
alert_output:
  outputs:
    - type: mcs
      enabled: true
      url: "${IRELAND}"
      api_key: "${API_KEY}"
`;

const fleet = useFleet(
  [
    { name: 'web-01', config: CONVERGED, groups: ['web'] },
    { name: 'web-02', version: '5.5.2.22', config: OPERATOR_CONFIG, groups: ['web'] },
    { name: 'web-07', config: OPERATOR_CONFIG, groups: ['web'] },
    { name: 'db-01', version: '5.11.0', certPairs: [1, 2, 3], config: MCS_CONFIG, groups: ['db'] },
    { name: 'quiet-01', config: MCS_ONLY },
    { name: 'old-01', version: '5.4.1.3', certPairs: [], config: OPERATOR_CONFIG },
    { name: 'bare-01', installed: false },
    { name: 'stopped-01', config: CONVERGED },
    { name: 'off-01', down: true },
  ],
  { subnet: 150 },
);

/** Everything about a host that a read-only command must leave as it was. */
function snapshot(host: FleetHost) {
  const sophos = join(host.root, 'etc', 'sophos');
  const files = Object.fromEntries(
    readdirSync(sophos)
      .sort()
      .map((n) => [n, readFileSync(join(sophos, n), 'utf8')]),
  );
  return {
    files,
    configMode: host.configMode(),
    restarts: host.restartCount(),
    service: host.serviceState(),
    loaded: host.loadedConfig(),
    journal: host.journal(),
  };
}
const snapshotAll = () => Object.fromEntries(fleet.hosts.map((h) => [h.name, snapshot(h)]));

type Facts = {
  sensorVersion: string | null;
  versionOk: boolean;
  certPairs: number[];
  mcsConfigured: boolean;
  mcsUrl: string | null;
  mcsRegion: string | null;
  service: string;
  lastTestAlert: string | null;
};
type Doc = {
  hosts: Record<
    string,
    {
      status: string;
      facts?: Facts;
      steps: { name: string; status: string; message: string; rc?: number; stdout?: string }[];
    }
  >;
  summary: Record<string, number>;
};

/** The table's rows, by host name, split on the two-space column gaps. */
function tableRows(stdout: string): Map<string, string[]> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => /^host\s+sensor\s+version ok/.test(l));
  assert.ok(header >= 0, `no status table in:\n${stdout}`);
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(header + 1)) {
    if (!line.trim()) break;
    const cells = line.split(/ {2,}/);
    rows.set(cells[0]!, cells);
  }
  return rows;
}

test('status changes nothing on any host, shows one row per host and exits 3 for the host that is down', async () => {
  const before = snapshotAll();
  const inboxBefore = fleet.centralInbox().length;
  const run = await runCli(['status', ...fleetArgs(fleet)]);
  assert.deepEqual(snapshotAll(), before, 'status must not change files, restarts, service state or journal');
  assert.equal(fleet.centralInbox().length, inboxBefore);
  assert.equal(run.code, 3, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);

  const rows = tableRows(run.stdout);
  assert.deepEqual([...rows.keys()].sort(), fleet.hosts.map((h) => h.name).sort());
  // host | sensor | version ok | cert pairs | mcs output | service | last test alert | drift
  assert.deepEqual(rows.get('web-01'), ['web-01', '5.10.0.3', 'yes', '1,2', 'Ireland', 'active', 'never', '-']);
  assert.deepEqual(rows.get('web-02'), [
    'web-02',
    '5.5.2.22',
    'yes',
    '1,2',
    'not configured',
    'active',
    'never',
    'no enabled mcs output',
  ]);
  assert.deepEqual(rows.get('db-01'), [
    'db-01',
    '5.11.0',
    'yes',
    '1,2,3',
    'United States (Oregon)',
    'active',
    'never',
    '-',
  ]);
  assert.deepEqual(rows.get('old-01'), [
    'old-01',
    '5.4.1.3',
    'NO',
    'none',
    'not configured',
    'active',
    'never',
    'sensor 5.4.1.3 is too old; no CA certificate pair; no enabled mcs output',
  ]);
  assert.equal(rows.get('bare-01')?.[1], 'not found');
  assert.equal(rows.get('bare-01')?.[2], 'NO');
  assert.notEqual(rows.get('bare-01')?.[5], 'active');
  const off = rows.get('off-01')!.join('  ');
  assert.match(off, /unreachable/);
  assert.match(off, /refused/i);
});

test('status --json: facts per host with version, certificates, mcs output, service and last test alert', async () => {
  const before = snapshotAll();
  const run = await runCli(['status', ...fleetArgs(fleet), '--json', '-l', 'all:!off-01']);
  assert.deepEqual(snapshotAll(), before);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  assert.deepEqual(
    Object.keys(doc.hosts).sort(),
    fleet.hosts
      .map((h) => h.name)
      .filter((n) => n !== 'off-01')
      .sort(),
  );
  const facts = (name: string) => doc.hosts[name]!.facts!;
  assert.deepEqual(
    { ...facts('web-01') },
    {
      ...facts('web-01'),
      sensorVersion: '5.10.0.3',
      versionOk: true,
      certPairs: [1, 2],
      mcsConfigured: true,
      mcsUrl: IRELAND,
      mcsRegion: 'Ireland',
      service: 'active',
      lastTestAlert: null,
    },
  );
  assert.equal(facts('web-02').mcsConfigured, false);
  assert.equal(facts('web-02').mcsUrl, null);
  assert.equal(facts('db-01').mcsUrl, 'https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com');
  assert.equal(facts('db-01').mcsRegion, 'United States (Oregon)');
  assert.deepEqual(facts('db-01').certPairs, [1, 2, 3]);
  assert.equal(facts('old-01').sensorVersion, '5.4.1.3');
  assert.equal(facts('old-01').versionOk, false);
  assert.deepEqual(facts('old-01').certPairs, []);
  assert.equal(facts('bare-01').sensorVersion, null);
  assert.equal(facts('bare-01').versionOk, false);
  assert.notEqual(facts('bare-01').service, 'active');
  // the api_key of a configured host is never in the document
  assert.doesNotMatch(run.stdout, new RegExp(API_KEY));
  assert.doesNotMatch(run.stdout, /old-repository-token-0000/);
});

test('test-alert -l web-01,quiet-01: only those hosts raise the alert; no stdout output passes with the Central note', async () => {
  const others = fleet.hosts.filter((h) => !['web-01', 'quiet-01'].includes(h.name));
  const othersBefore = Object.fromEntries(others.map((h) => [h.name, snapshot(h)]));
  const inboxBefore = fleet.centralInbox().length;
  const run = await runCli(['test-alert', ...fleetArgs(fleet), '-l', 'web-01,quiet-01', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  assert.deepEqual(Object.keys(doc.hosts).sort(), ['quiet-01', 'web-01']);

  const web = doc.hosts['web-01']!.steps.at(-1)!;
  assert.equal(web.status, 'ok');
  assert.match(web.message, /"Alert Tester" seen in the journal/);
  assert.match(fleet.host('web-01').journal(), /web-01 sophoslinuxsensor\[\d+\]: Alert triggered: Alert Tester/);

  const quiet = doc.hosts['quiet-01']!.steps.at(-1)!;
  assert.equal(quiet.status, 'ok');
  assert.match(quiet.message, /no enabled stdout output/);
  assert.match(quiet.message, /Threat Analysis Center → Detections/);

  const arrived = fleet.centralInbox().slice(inboxBefore);
  assert.deepEqual(arrived.map((d) => d.host).sort(), ['quiet-01', 'web-01']);
  for (const d of arrived) {
    assert.equal(d.url, IRELAND);
    assert.equal(d.apiKey, API_KEY);
    assert.equal(d.alert, 'Alert Tester');
  }
  for (const h of others) assert.deepEqual(snapshot(h), othersBefore[h.name], `${h.name} must be untouched`);
});

test('status then shows when web-01 last raised "Alert Tester"', async () => {
  const run = await runCli(['status', ...fleetArgs(fleet), '-l', 'web-01,web-02']);
  assert.equal(run.code, 0, run.stderr);
  const rows = tableRows(run.stdout);
  const stamp = /^(\w{3} +\d+ [\d:]+) web-01 sophoslinuxsensor\[\d+\]: Alert triggered: Alert Tester$/m.exec(
    fleet.host('web-01').journal(),
  )?.[1];
  assert.ok(stamp, 'the journal holds the alert');
  assert.equal(rows.get('web-01')?.[6], stamp);
  assert.equal(rows.get('web-02')?.[6], 'never');
});

test('test-alert on a stopped sensor fails that host clearly (exit 2); nothing reaches Central', async () => {
  const stop = await execOn(fleet, 'stopped-01', ['systemctl', 'stop', 'sophoslinuxsensor']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(fleet.host('stopped-01').serviceState(), 'inactive');
  const inboxBefore = fleet.centralInbox().length;
  const run = await runCli(['test-alert', ...fleetArgs(fleet), '-l', 'stopped-01', '--json']);
  assert.equal(run.code, 2, run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  const step = doc.hosts['stopped-01']!.steps.at(-1)!;
  assert.equal(doc.hosts['stopped-01']!.status, 'failed');
  assert.match(step.message, /sophoslinuxsensor -test-alert failed \(exit 1: .*service is inactive\)/);
  assert.match(step.message, /is the sensor running\?/);
  assert.equal(fleet.centralInbox().length, inboxBefore);

  const status = await runCli(['status', ...fleetArgs(fleet), '-l', 'stopped-01']);
  assert.equal(tableRows(status.stdout).get('stopped-01')?.[5], 'inactive');
});

test('mending one host: deploy -l web-07 --diff changes web-07 only and shows the diff with the key masked', async () => {
  const others = fleet.hosts.filter((h) => h.name !== 'web-07');
  const othersBefore = Object.fromEntries(others.map((h) => [h.name, snapshot(h)]));
  const restarts = fleet.host('web-07').restartCount();
  const run = await runCli(['deploy', ...fleetArgs(fleet), '-l', 'web-07', '--diff', '-e', 'sls_region=eu-west-1'], {
    env,
  });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  for (const h of others) assert.deepEqual(snapshot(h), othersBefore[h.name], `${h.name} must be untouched`);

  const web07 = fleet.host('web-07');
  const config = web07.readConfig()!;
  assert.ok(config.startsWith(OPERATOR_CONFIG.trimEnd().split('\n').slice(0, 5).join('\n')), 'operator keys kept');
  assert.match(
    config,
    /- type: mcs\n\s+enabled: true\n\s+url: "?https:\/\/mcs2-cloudstation-eu-west-1\.prod\.hydra\.sophos\.com"?\n\s+api_key: "?e2e-day2/,
  );
  assert.equal(web07.configMode(), 0o600);
  assert.equal(web07.restartCount(), restarts + 1);
  assert.equal(web07.loadedConfig(), config);

  // the diff: a unified diff of web-07's config, the key masked
  assert.match(run.stdout, /^--- .*runtimedetections\.yaml/m);
  assert.match(run.stdout, /^\+\s+- type: mcs$/m);
  assert.match(run.stdout, /^\+\s+url: .*eu-west-1/m);
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(API_KEY));
  assert.doesNotMatch(run.stdout, /web-0[12]|db-01/);
  assert.match(run.stdout, /web-07/);
});

test("exec web-07 -- journalctl -u sophoslinuxsensor -n 50 prints that host's journal", async () => {
  const run = await execOn(fleet, 'web-07', ['journalctl', '-u', 'sophoslinuxsensor', '-n', '50', '--no-pager']);
  assert.equal(run.code, 0, run.stderr);
  const journal = fleet.host('web-07').journal().trimEnd().split('\n').slice(-50);
  assert.ok(journal.length > 1);
  for (const line of journal) assert.ok(run.stdout.includes(line), `missing journal line ${line}\n---\n${run.stdout}`);
  // the restart the deploy just did, and only web-07's journal
  assert.match(run.stdout, /web-07 systemd\[1\]: .*(Start|Stopp)/);
  assert.doesNotMatch(run.stdout, / web-01 | web-02 | db-01 /);

  const json = await runCli([
    'exec',
    ...fleetArgs(fleet),
    'web-07',
    '--json',
    '--',
    'journalctl',
    '-u',
    'sophoslinuxsensor',
    '-n',
    '50',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout) as Doc;
  assert.deepEqual(Object.keys(doc.hosts), ['web-07']);
  const step = doc.hosts['web-07']!.steps[0]!;
  assert.equal(step.rc, 0);
  assert.equal(
    step.stdout!.trimEnd().split('\n').length,
    Math.min(50, fleet.host('web-07').journal().trimEnd().split('\n').length),
  );
});
