// `sls-play deploy --check` (with and without --diff) and option errors, end to end: every host
// is left byte for byte as it was (files, modes, service, restarts, journal, Central's inbox).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useFleet } from '../helpers/fleet.ts';
import { CONTAINER_CONFIG_CRT_AS_CRL, MALFORMED_CONFIG, MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli, type CliRun } from '../helpers/cli.ts';
import { assertSecretAbsent, parseJsonReport, snapshotHost, step, type JsonReport } from './deploy-helpers.ts';

const KEY = 'tok-Check-5Rg2Xc7Bv4Mn9Pq3';
const OLD_KEY = 'old-repository-token-0000'; // the key already in MCS_CONFIG
const VAR_KEY = 'tok-ExtraVar-1Cw6Yt9Gu3Ka7Ds4'; // given with -e sls_api_key=… instead of the environment
const REGIONS = ['us-west-2', 'us-east-2', 'eu-west-1', 'eu-central-1', 'canada', 'australia', 'tokyo', 'sao-paulo'];

const snapshots = new Map<string, ReturnType<typeof snapshotHost>>();
let checkJson: CliRun;
let json: JsonReport;
let checkDiff: CliRun;
let checkVarKey: CliRun;
let noRegion: CliRun;
let noKey: CliRun;
let badRegion: CliRun;

const fleet = useFleet(
  [
    { name: 'web-01', config: OPERATOR_CONFIG },
    { name: 'db-01', config: MCS_CONFIG },
    { name: 'new-01' },
    { name: 'box-01', deployment: 'container', config: CONTAINER_CONFIG_CRT_AS_CRL },
    { name: 'bad-01', config: MALFORMED_CONFIG },
    { name: 'old-01', version: '5.4.1.3', config: OPERATOR_CONFIG },
    { name: 'broken-01', restartBroken: true, config: OPERATOR_CONFIG },
  ],
  { subnet: 102 },
  async () => {
    for (const h of fleet.hosts) snapshots.set(h.name, snapshotHost(h));
    const base = ['deploy', ...fleetArgs(fleet)];
    const env = { SLS_API_KEY: KEY };
    // all read-only, so they may run side by side
    [checkJson, checkDiff, checkVarKey, noRegion, noKey, badRegion] = await Promise.all([
      runCli([...base, '-e', 'sls_region=eu-west-1', '--check', '--json'], { env }),
      runCli([...base, '-e', 'sls_region=eu-west-1', '--check', '--diff', '-v'], { env }),
      runCli(
        [
          ...base,
          '-e',
          'sls_region=eu-west-1',
          '-e',
          `sls_api_key=${VAR_KEY}`,
          '--check',
          '--diff',
          '-v',
          '--limit',
          'db-01,new-01',
        ],
        { env: { SLS_API_KEY: undefined } },
      ),
      runCli([...base, '--json'], { env }),
      runCli([...base, '-e', 'sls_region=eu-west-1', '--diff', '-v'], { env: { SLS_API_KEY: undefined } }),
      runCli([...base, '-e', 'sls_region=atlantis', '--diff'], { env }),
    ]);
    json = parseJsonReport(checkJson.stdout);
  },
);

test('--check and --check --diff leave every host byte for byte unchanged: files, modes, service, restarts, journal', () => {
  for (const h of fleet.hosts) assert.deepEqual(snapshotHost(h), snapshots.get(h.name), `${h.name} changed`);
  assert.equal(fleet.host('new-01').readConfig(), null, 'check mode created the config');
  assert.deepEqual(fleet.centralInbox(), [], 'check mode sent a test alert');
});

test('--check reports what would change and runs no handler', () => {
  assert.equal(checkJson.code, 2, checkJson.stderr); // bad-01 and old-01 fail in check mode too
  assert.deepEqual(json.summary, { ok: 0, changed: 5, failed: 2, unreachable: 0, skipped: 0 });
  for (const name of ['web-01', 'db-01', 'new-01', 'box-01', 'broken-01']) {
    assert.equal(json.hosts[name]!.status, 'changed', name);
    const config = step(json, name, 'config');
    assert.equal(config.status, 'changed');
    assert.match(config.message, /^would change \/etc\/sophos\/runtimedetections\.yaml: /, name);
    // the handlers it would notify are named, never run (the snapshots above prove nothing ran)
    for (const handler of ['restart sensor', 'test alert']) {
      const s = step(json, name, handler);
      assert.equal(s.status, 'skipped', `${name} ${handler}`);
      assert.match(s.message, /^would run \(check mode/, `${name} ${handler}`);
    }
    assert.equal(config.diff, undefined, 'no diff without --diff');
  }
  assert.match(step(json, 'db-01', 'config').message, /updated/);
  assert.match(step(json, 'box-01', 'config').message, /sophosca2\.crt/);
  assert.equal(step(json, 'bad-01', 'config').status, 'failed');
  assert.equal(step(json, 'old-01', 'sensor version').status, 'failed');
  assert.match(checkJson.stderr, /^CHECK MODE/m);
});

test('--check --diff prints a unified diff of each would-be change, keys masked on both sides', () => {
  assert.equal(checkDiff.code, 2, checkDiff.stderr);
  const out = checkDiff.stdout;
  assert.match(out, /^changed: \[web-01\] config: would change /m);
  assert.match(
    out,
    /^--- a\/etc\/sophos\/runtimedetections\.yaml\n\+\+\+ b\/etc\/sophos\/runtimedetections\.yaml\n@@ /m,
  );
  assert.match(
    out,
    /^--- \/dev\/null\n\+\+\+ b\/etc\/sophos\/runtimedetections\.yaml\n@@ -0,0 \+1,6 @@/m,
    'new-01: a diff from nothing',
  );
  assert.match(out, /^\+ +url: "https:\/\/mcs2-cloudstation-eu-west-1\.prod\.hydra\.sophos\.com"$/m);
  // db-01's key changes: both the old and the new line are masked
  assert.match(out, /^- +api_key: \*+$/m);
  assert.match(out, /^\+ +api_key: \*+ \(changed\)$/m);
  // box-01: the .crt in the revocation list is fixed in the diff
  assert.match(out, /^-certificate_revocation_list: .*sophosca2\.crt"\]$/m);
  assert.match(out, /^\+certificate_revocation_list: .*sophosca2\.crl"\]$/m);
});

test('the key, new or already on a host, is in no output of a check run (--json, --diff, -v)', () => {
  for (const [label, run] of [
    ['--check --json', checkJson],
    ['--check --diff -v', checkDiff],
  ] as const) {
    assertSecretAbsent(KEY, run, label);
    assertSecretAbsent(OLD_KEY, run, label);
  }
  assert.match(checkDiff.stdout + checkDiff.stderr, /\$ /, '-v printed the commands');
  // a key given as an extra variable is masked just the same
  assert.equal(checkVarKey.code, 0, checkVarKey.stderr); // db-01 and new-01 would change, none fails
  assert.match(checkVarKey.stdout, /^2 hosts: 0 ok, 2 changed, /m);
  assert.match(checkVarKey.stdout, /^\+ +api_key: \*+$/m);
  assertSecretAbsent(VAR_KEY, checkVarKey, '-e sls_api_key --check --diff -v');
  assertSecretAbsent(OLD_KEY, checkVarKey, '-e sls_api_key --check --diff -v');
});

test('missing region, missing key, unknown region: exit 5 before any host is touched', () => {
  for (const [label, run] of [
    ['no region', noRegion],
    ['no key', noKey],
    ['unknown region', badRegion],
  ] as const) {
    assert.equal(run.code, 5, `${label}: ${run.stderr}`);
    assert.doesNotMatch(
      run.stdout + run.stderr,
      /^(ok|changed|fatal|unreachable): \[/m,
      `${label}: a host was worked on`,
    );
    assert.doesNotMatch(run.stdout + run.stderr, /RECAP/, label);
    assertSecretAbsent(KEY, run, label);
  }
  assert.equal(noRegion.stdout, '', 'with --json and no document, stdout stays empty');
  assert.match(noRegion.stderr, /sls_region/);
  assert.match(noKey.stderr, /SLS_API_KEY/);
  assert.match(badRegion.stderr, /unknown Sophos Central region "atlantis"/);
  for (const [label, run] of [
    ['no region', noRegion],
    ['unknown region', badRegion],
  ] as const) {
    for (const region of REGIONS)
      assert.ok(run.stderr.includes(region), `${label}: valid region ${region} not listed: ${run.stderr}`);
  }
  // nothing on any host moved (checked after every run of this file)
  for (const h of fleet.hosts) assert.deepEqual(snapshotHost(h), snapshots.get(h.name), `${h.name} changed`);
});
