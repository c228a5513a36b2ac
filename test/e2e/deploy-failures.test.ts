// `sls-play deploy` end to end on hosts it must refuse or roll back: each fails with its own
// message, its config untouched (or restored byte for byte), while a healthy host beside them converges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { useFleet } from '../helpers/fleet.ts';
import { MALFORMED_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, type CliRun } from '../helpers/cli.ts';
import {
  assertNoStrayFiles,
  assertSecretAbsent,
  backupsOf,
  parseJsonReport,
  snapshotHost,
  sophosFile,
  step,
  type JsonReport,
} from './deploy-helpers.ts';

const KEY = 'tok-Failures-3Hs8Wq5Ny1Jd6Tb0';
const URL_DE = 'https://mcs2-cloudstation-eu-central-1.prod.hydra.sophos.com';
const BPF = 'failed to load BPF programs: operation not permitted (kernel lockdown is enabled)';

/** Does not parse either, and its broken line holds the very key being deployed. */
const MALFORMED_WITH_KEY = `alert_output:
  outputs:
    - type: mcs
      api_key: "${KEY}" [
      url: x
`;

let run: CliRun;
let json: JsonReport;
const snapshots = new Map<string, ReturnType<typeof snapshotHost>>();

const fleet = useFleet(
  [
    { name: 'ok-01', config: OPERATOR_CONFIG },
    { name: 'old-01', version: '5.4.1.3', config: OPERATOR_CONFIG },
    { name: 'bare-01', installed: false },
    { name: 'nocert-01', certPairs: [], config: OPERATOR_CONFIG },
    { name: 'orphan-01', certPairs: [], extraCertFiles: ['sophosca1.crt', 'sophosca2.crl'], config: OPERATOR_CONFIG },
    { name: 'bad-01', config: MALFORMED_CONFIG },
    { name: 'bad-02', config: MALFORMED_WITH_KEY },
    { name: 'broken-01', restartBroken: true, config: OPERATOR_CONFIG },
  ],
  { subnet: 101 },
  async () => {
    for (const h of fleet.hosts) snapshots.set(h.name, snapshotHost(h));
    run = await runCli(['deploy', ...fleetArgs(fleet), '-e', 'sls_region=Germany', '--json', '--diff', '-v'], {
      env: { SLS_API_KEY: KEY },
    });
    json = parseJsonReport(run.stdout);
  },
);

/** The host's files, service and journal are exactly as before the run. */
function assertUntouched(name: string): void {
  const now = snapshotHost(fleet.host(name));
  const was = snapshots.get(name)!;
  assert.deepEqual(now.files, was.files, `${name}: /etc/sophos changed`);
  assert.equal(now.restarts, was.restarts, `${name}: restarted`);
  assert.equal(now.state, was.state);
  assert.equal(now.journal, was.journal, `${name}: journal changed`);
}

test('exit status 2, the failed hosts failed and the healthy one converged', () => {
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(json.summary, { ok: 0, changed: 1, failed: 7, unreachable: 0, skipped: 0 });
  assert.equal(json.hosts['ok-01']!.status, 'changed');
  const ok = YAML.parse(fleet.host('ok-01').readConfig()!).alert_output.outputs;
  assert.deepEqual(ok.at(-1), { type: 'mcs', enabled: true, url: URL_DE, api_key: KEY });
  assert.deepEqual(
    fleet.centralInbox().map((d) => [d.host, d.url, d.apiKey]),
    [['ok-01', URL_DE, KEY]],
  );
});

test('too-old sensor: failed at the version step, says which version and what to do; config untouched, no restart', () => {
  const s = step(json, 'old-01', 'sensor version');
  assert.equal(json.hosts['old-01']!.status, 'failed');
  assert.equal(s.status, 'failed');
  assert.match(s.message, /5\.4\.1\.3/);
  assert.match(s.message, /5\.5\.2\.22/);
  assert.match(s.message, /upgrade/i);
  assert.ok(!json.hosts['old-01']!.steps.some((x) => x.name === 'config'), 'no config step after a failed check');
  assert.match(run.stderr, /^fatal: \[old-01\] sensor version: .*5\.4\.1\.3/m);
  assertUntouched('old-01');
});

test('not installed: its own failure, not a version error', () => {
  const s = step(json, 'bare-01', 'sensor version');
  assert.equal(s.status, 'failed');
  assert.match(s.message, /not installed/);
  assert.doesNotMatch(s.message, /older than|not a version|could not (parse|read)/i);
  assert.equal(fleet.host('bare-01').readConfig(), null);
  assertUntouched('bare-01');
});

test('no certificate pair: failed, saying what is missing; config untouched, no restart', () => {
  const s = step(json, 'nocert-01', 'certificates');
  assert.equal(s.status, 'failed');
  assert.match(s.message, /no complete certificate pair/);
  assert.match(s.message, /\/etc\/sophos/);
  assertUntouched('nocert-01');
  // a .crt and a .crl of different numbers are not a pair
  const orphan = step(json, 'orphan-01', 'certificates');
  assert.equal(orphan.status, 'failed');
  assert.match(orphan.message, /sophosca1\.crt has no \.crl/);
  assertUntouched('orphan-01');
});

test('malformed YAML: failed with file and line, the bytes unchanged, no backup, no restart', () => {
  const s = step(json, 'bad-01', 'config');
  assert.equal(s.status, 'failed');
  assert.match(s.message, /^\/etc\/sophos\/runtimedetections\.yaml:[34]: /);
  assert.match(s.message, /not changed/);
  assert.equal(fleet.host('bad-01').readConfig(), MALFORMED_CONFIG);
  assert.deepEqual(backupsOf(fleet.host('bad-01').listSophosDir()), []);
  assertUntouched('bad-01');
  // the offending line held the key: the message names the line but never quotes it
  const withKey = step(json, 'bad-02', 'config');
  assert.equal(withKey.status, 'failed');
  assert.match(withKey.message, /^\/etc\/sophos\/runtimedetections\.yaml:\d+: /);
  assert.equal(fleet.host('bad-02').readConfig(), MALFORMED_WITH_KEY);
  assertUntouched('bad-02');
});

test("a sensor that will not restart: config rolled back byte for byte, restarted again, failed with the journal's reason", () => {
  const host = fleet.host('broken-01');
  const was = snapshots.get('broken-01')!;
  assert.equal(json.hosts['broken-01']!.status, 'failed');
  assert.equal(step(json, 'broken-01', 'config').status, 'changed');
  const s = step(json, 'broken-01', 'restart sensor');
  assert.equal(s.status, 'failed');
  assert.ok(s.message.includes(BPF), `the journal's reason is missing: ${s.message}`);
  assert.match(s.message, /restored/);
  assert.ok(
    !json.hosts['broken-01']!.steps.some((x) => x.name === 'test alert'),
    'no test alert after a failed restart',
  );
  // rolled back to exactly the operator's bytes and mode
  assert.equal(host.readConfig(), OPERATOR_CONFIG);
  assert.equal(host.configMode(), 0o600);
  // one restart with the new config, one more with the restored one
  assert.equal(host.restartCount(), was.restarts + 2);
  const journalSinceRun = host.journal().slice(was.journal.length);
  assert.equal(journalSinceRun.match(/Starting sophoslinuxsensor\.service/g)?.length, 2, journalSinceRun);
  // the backup holds the original; nothing else new in /etc/sophos
  const backups = backupsOf(host.listSophosDir());
  assert.equal(backups.length, 1);
  assert.equal(sophosFile(host, backups[0]!), OPERATOR_CONFIG);
  assert.deepEqual(
    host.listSophosDir().filter((n) => !n.endsWith('.bak')),
    Object.keys(was.files)
      .filter((f) => f.startsWith('/etc/sophos/'))
      .map((f) => f.slice(12)),
  );
  assert.ok(!fleet.centralInbox().some((d) => d.host === 'broken-01'));
});

test('no temporary files left on any host', () => {
  for (const h of fleet.hosts) assertNoStrayFiles(h);
});

test('a failing run with --json --diff -v never shows the API key, not even from a broken line that holds it', () => {
  assertSecretAbsent(KEY, run, 'deploy --json --diff -v');
  // -v really printed the commands and their output, so the check covers them
  assert.match(run.stderr, /\$ /);
  assert.match(run.stderr, /sophoslinuxsensor/);
  assert.ok(fleet.host('ok-01').readConfig()!.includes(KEY));
});
