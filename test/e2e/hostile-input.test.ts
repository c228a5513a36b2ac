// Hostile and careless input end to end: variables that must be refused before any host is
// touched (exit 5), config files the edit must keep byte for byte or refuse to touch, and keys
// written in awkward YAML that must never reach the terminal, a diff or --json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { useFleet } from '../helpers/fleet.ts';
import { fleetArgs, runCli, type CliRun } from '../helpers/cli.ts';
import { parseJsonReport, step } from './deploy-helpers.ts';
import { RESPELLABLE_SCALARS } from '../helpers/yaml-spellings.ts';

// A key with a quote, a backslash and spaces: JSON and YAML both escape it.
const KEY = 'tok-Hostile "q" \\ spaces-9Zr4';
const KEY_PIECES = ['tok-Hostile', 'spaces-9Zr4'];
const OLD_PIECES = ['oldkey-A1b2', 'oldtail-C3d4'];
const IRELAND = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';

// Spellings a whole-document re-print would change: a literal tab in quotes, escapes, a quoted
// string over two lines, a folded block, odd spacing.
const RESPELLABLE = `customer_id: "3f2b9a70"
${RESPELLABLE_SCALARS}alert_output:
  outputs:
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'   # journal
    - type: mcs
      enabled:   true
      url: https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com
      api_key: !!str &old ${OLD_PIECES.join(' ')}
`;

const ALIASED = `templates:
  central: &mcs
    type: mcs
    enabled: true
    url: "https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com"
    api_key: "${OLD_PIECES.join('-')}"
alert_output:
  outputs:
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'
    - *mcs
`;

let deploy: CliRun;

const logins = () => fleet.hosts.reduce((n, h) => n + h.acceptedLogins(), 0);

function assertNoKey(run: CliRun, label: string, pieces = [...KEY_PIECES, ...OLD_PIECES]): void {
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    for (const piece of pieces)
      assert.ok(!text.includes(piece), `${label}: "${piece}" of a key appears in ${stream}:\n${text}`);
  }
}

const fleet = useFleet(
  [
    { name: 'odd-01', config: RESPELLABLE },
    { name: 'alias-01', config: ALIASED },
  ],
  {},
  async () => {
    deploy = await runCli(['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', '--diff', '--json', '-v'], {
      env: { SLS_API_KEY: KEY },
    });
  },
);

test('bytes the edit does not own stay byte for byte on the host; the key lands exactly', () => {
  const report = parseJsonReport(deploy.stdout);
  assert.equal(report.hosts['odd-01']?.status, 'changed', deploy.stderr);
  const written = fleet.host('odd-01').readConfig();
  assert.equal(
    written,
    RESPELLABLE.replace('url: https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', `url: ${IRELAND}`).replace(
      `!!str &old ${OLD_PIECES.join(' ')}`,
      `!!str &old ${KEY}`, // the operator's plain style is kept: it reads back exactly
    ),
  );
  const mcs = (YAML.parse(written!).alert_output.outputs as Array<Record<string, unknown>>).filter(
    (o) => o.type === 'mcs',
  );
  assert.deepEqual(mcs, [{ type: 'mcs', enabled: true, url: IRELAND, api_key: KEY }]);
});

test('an mcs entry that is a YAML alias fails that host, naming the alias, and the file is not changed', () => {
  const report = parseJsonReport(deploy.stdout);
  assert.equal(deploy.code, 2);
  assert.equal(report.hosts['alias-01']?.status, 'failed');
  assert.match(
    step(report, 'alias-01', 'config').message,
    /:12: the mcs output is the alias \*mcs of the mapping at line 3.*it was not changed/,
  );
  assert.equal(fleet.host('alias-01').readConfig(), ALIASED);
  assert.equal(fleet.host('alias-01').restartCount(), 0);
});

test('no key, new or old (tagged, anchored, with spaces, quotes and backslashes), in --diff, -v or --json output', () => {
  assertNoKey(deploy, 'deploy --diff --json -v');
  assert.match(
    step(parseJsonReport(deploy.stdout), 'odd-01', 'config').diff ?? '',
    /\+ {6}api_key: !!str &old \*{8} \(changed\)\n/,
  );
});

test('exec --json and status -v mask the key as the file spells it', async () => {
  const [cat, status] = await Promise.all([
    runCli(['exec', ...fleetArgs(fleet), 'odd-01', '--json', '--', 'cat', '/etc/sophos/runtimedetections.yaml'], {
      env: { SLS_API_KEY: KEY },
    }),
    runCli(['status', ...fleetArgs(fleet), '-l', 'odd-01', '-v'], { env: { SLS_API_KEY: undefined } }),
  ]);
  assert.equal(cat.code, 0, cat.stderr);
  assert.match(JSON.parse(cat.stdout).hosts['odd-01'].steps[0].stdout, /api_key: !!str &old \*{8}\n/);
  assertNoKey(cat, 'exec --json');
  assert.equal(status.code, 0, status.stderr);
  assertNoKey(status, 'status -v (the key comes from the file only)', KEY_PIECES);
});

test('bad variables are exit 5 before any host is touched, naming the variable and the problem, never the key', async () => {
  const seen = logins();
  const run = (args: string[], env: Record<string, string> = { SLS_API_KEY: 'tok-Valid-key-5x6y' }) =>
    runCli(['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', ...args], { env });
  const cases: Array<[Promise<CliRun>, RegExp]> = [
    [run([], { SLS_API_KEY: `${KEY}\r\n` }), /SLS_API_KEY contains U\+000D carriage return at character 30 of 31/],
    // a vaulted value (as -e JSON spells one) without a vault password
    [
      run(['-e', '{"sls_api_key": {"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256"}}']),
      /variable sls_api_key: vault-encrypted and no vault password was given; give the password with --vault-password-file/,
    ],
    [run(['-e', '{"sls_mcs_url": ["https://a.example.com"]}']), /sls_mcs_url is a list, not text/],
    [
      run(['-e', `{"sls_exec_prefix": "docker exec 'sls"}`]),
      /sls_exec_prefix "docker exec 'sls" is not valid shell words: it has an unbalanced ' or " quote/,
    ],
    [
      run(['-e', 'sls_config_path=etc/sophos/rd.yaml']),
      /sls_config_path "etc\/sophos\/rd\.yaml" is not an absolute path/,
    ],
    [
      run(['-e', 'sls_region=eu west 1']),
      /-e "sls_region=eu west 1": cannot parse "west".*the value of sls_region was cut at a space/,
    ],
  ];
  for (const [pending, message] of cases) {
    const result = await pending;
    assert.equal(result.code, 5, `${message}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assertNoKey(result, String(message), KEY_PIECES);
  }
  assert.equal(logins(), seen, 'no host was logged in to');
});

test('an inventory without hosts warns and exits 0, as Ansible does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-empty-'));
  writeFileSync(join(dir, 'hosts'), '# no hosts yet\n[web]\n');
  const result = await runCli(['deploy', dir, '-e', 'sls_region=eu-west-1'], {
    env: { SLS_API_KEY: 'tok-Valid-key-5x6y' },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /warning: provided hosts list is empty: .* has no hosts, so no hosts matched and nothing was done/,
  );
  assert.doesNotMatch(result.stderr + result.stdout, /groups in this inventory: *(\n|$)/);
});
