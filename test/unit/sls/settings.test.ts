import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlaybookInputError } from '../../../src/base/input-error.ts';
import { secret } from '../../../src/secrets/secret.ts';
import { slsReadSettings, slsSettings } from '../../../src/sls/settings.ts';

const KEY = 'sls-repo-token-7f3a9c2e41d84b0e';
const BASE = { sls_region: 'eu-west-1', sls_api_key: KEY };

/** The call fails as a user error (exit 5) whose message matches, and never shows the key. */
function rejects(fn: () => unknown, message: RegExp, ...hidden: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PlaybookInputError, String(error));
    assert.match(error.message, message);
    for (const text of hidden) assert.ok(!error.message.includes(text), `message shows a secret: ${error.message}`);
    return true;
  });
}

function withEnvKey<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.SLS_API_KEY;
  if (value === undefined) delete process.env.SLS_API_KEY;
  else process.env.SLS_API_KEY = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.SLS_API_KEY;
    else process.env.SLS_API_KEY = saved;
  }
}

test('a key with CR, LF, NUL, tab or another control character is refused, naming the variable and the character', () => {
  const cases: Array<[string, RegExp]> = [
    [
      `${KEY}\r`,
      /^sls_api_key contains U\+000D carriage return at character 32 of 32 \(pasted from a file with its line ending\?\); remove it/,
    ],
    [`${KEY}\n`, /^sls_api_key contains U\+000A line feed \(newline\) at character 32/],
    [`abcd\u0000${KEY}`, /^sls_api_key contains U\+0000 NUL at character 5 of 36/],
    [`abcd\t${KEY}`, /^sls_api_key contains U\+0009 tab/],
    [`abcd\u001b[31m${KEY}`, /^sls_api_key contains U\+001B escape/],
    [`abcd\u2028${KEY}`, /^sls_api_key contains U\+2028 line separator/],
  ];
  for (const [key, message] of cases) rejects(() => slsSettings({ ...BASE, sls_api_key: key }), message, KEY, 'abcd');
});

test('the same check applies to SLS_API_KEY from the environment, named as such', () => {
  withEnvKey(`${KEY}\r\n`, () =>
    rejects(() => slsSettings({ sls_region: 'eu-west-1' }), /^SLS_API_KEY contains U\+000D carriage return/, KEY),
  );
  withEnvKey(KEY, () => assert.equal(slsSettings({ sls_region: 'eu-west-1' }).apiKey, KEY));
});

test('a key with spaces, quotes and unicode is accepted as it is', () => {
  for (const key of [`has spaces ${KEY}`, `a"b\\c'${KEY}`, `café-${KEY}`]) {
    assert.equal(slsSettings({ ...BASE, sls_api_key: key }).apiKey, key);
  }
});

test('a Secret value is taken as its text', () => {
  assert.equal(slsSettings({ ...BASE, sls_api_key: secret(KEY, 'sls_api_key') }).apiKey, KEY);
});

test('an undecrypted inline !vault key (a mapping) is refused, never written as [object Object]', () => {
  const vaulted = { __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n3136...' };
  rejects(
    () => slsSettings({ ...BASE, sls_api_key: vaulted }),
    /^sls_api_key is a mapping, not text \(an inline !vault value that was not decrypted: give the vault password/,
  );
});

test('a variable of the wrong type is refused, naming the variable and its type', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['sls_api_key', ['a', 'b'], /^sls_api_key is a list, not text; set it to a string$/],
    ['sls_api_key', 12345678, /^sls_api_key is a number \(12345678\), not text/],
    ['sls_mcs_url', { host: 'x' }, /^sls_mcs_url is a mapping, not text/],
    ['sls_region', ['eu-west-1'], /^sls_region is a list, not text/],
    ['sls_region', true, /^sls_region is a boolean \(true\), not text/],
    ['sls_config_path', { a: 1 }, /^sls_config_path is a mapping, not text/],
    ['sls_cert_dir', 7, /^sls_cert_dir is a number \(7\), not text/],
    ['sls_exec_prefix', ['docker', 'exec', 'sls'], /^sls_exec_prefix is a list, not text/],
    ['sls_restart_command', { cmd: 'x' }, /^sls_restart_command is a mapping, not text/],
    ['sls_deployment', ['container'], /^sls_deployment is a list, not text/],
    ['sls_test_timeout', { s: 1 }, /^sls_test_timeout a mapping is not a number of seconds above 0$/],
    ['sls_force_restart', ['yes'], /^sls_force_restart is a list; set it to true or false$/],
  ];
  for (const [name, value, message] of cases) rejects(() => slsSettings({ ...BASE, [name]: value }), message);
});

test('numbers and booleans are accepted where they make sense', () => {
  const s = slsSettings({ ...BASE, sls_test_timeout: 5, sls_force_restart: true });
  assert.equal(s.testTimeoutS, 5);
  assert.equal(s.forceRestart, true);
  assert.equal(slsSettings({ ...BASE, sls_test_timeout: '12', sls_force_restart: 'yes' }).testTimeoutS, 12);
  assert.equal(slsSettings({ ...BASE, sls_force_restart: 'false' }).forceRestart, false);
});

test('config path and cert dir must be absolute', () => {
  rejects(
    () => slsReadSettings({ sls_config_path: 'etc/sophos/runtimedetections.yaml' }),
    /^sls_config_path "etc\/sophos\/runtimedetections\.yaml" is not an absolute path; give the full path from \//,
  );
  rejects(() => slsReadSettings({ sls_cert_dir: '~/certs' }), /^sls_cert_dir "~\/certs" is not an absolute path/);
  assert.equal(slsReadSettings({ sls_config_path: '/srv/sls dir/rd.yaml' }).configPath, '/srv/sls dir/rd.yaml');
});

test('an exec prefix or restart command with unbalanced quotes is refused, naming the variable and the problem', () => {
  rejects(
    () => slsReadSettings({ sls_exec_prefix: "docker exec 'sls" }),
    /^sls_exec_prefix "docker exec 'sls" is not valid shell words: it has an unbalanced ' or " quote; quote it as you would in a shell/,
  );
  rejects(
    () => slsReadSettings({ sls_restart_command: 'docker restart "sls' }),
    /^sls_restart_command "docker restart \\"sls" is not valid shell words|^sls_restart_command "docker restart "sls" is not valid shell words/,
  );
  rejects(() => slsReadSettings({ sls_exec_prefix: 'docker exec sls \\' }), /lone backslash/);
  assert.equal(slsReadSettings({ sls_exec_prefix: "docker exec 'my sls'" }).execPrefix, "docker exec 'my sls'");
});

test('sls_central: present by default, absent needs no region or key, anything else is exit 5 naming it', () => {
  assert.equal(slsSettings({ sls_region: 'eu-west-1', sls_api_key: 'k-12345678' }).central, 'present');
  const removing = slsSettings({ sls_central: 'absent' });
  assert.equal(removing.central, 'absent');
  assert.throws(
    () => slsSettings({ sls_central: 'gone' }),
    /sls_central is "gone"; use present \(the default\) or absent/,
  );
});
