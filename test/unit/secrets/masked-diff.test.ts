import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePatch } from 'diff';
import { unifiedDiff } from '../../../src/secrets/masked-diff.ts';
import { Redactor } from '../../../src/secrets/redactor.ts';
import { editSensorConfig } from '../../../src/sls/config-edit.ts';

const PATH = '/etc/sophos/runtimedetections.yaml';
const OLD_KEY = 'old-token-0000aaaa1111bbbb';
const NEW_KEY = 'new-token-9999ffff2222cccc';

const CONFIG = (key: string, url = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com') => `# SLS config
customer_id: "3f2b9a70-1c4e-4d2a-9a55-0e6c7d8b9f10"
cloud_meta: auto
send_labs_telemetry: false
alert_output:
  outputs:
    - type: stdout
      template: 'Alert triggered: {{ .StrategyName}}'
    - type: mcs
      enabled: true
      url: "${url}"
      api_key: "${key}"
    - type: file
      file_path: /var/log/sophos/alerts.json
investigations:
  reporting_interval: 5s
`;

const noKeys = (diff: string, ...keys: string[]) => {
  for (const key of keys) assert.ok(!diff.includes(key), `key leaked:\n${diff}`);
};

test('git-style headers and 3 lines of context', () => {
  const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\n';
  const after = before.replace('e\n', 'E\n');
  assert.equal(
    unifiedDiff('/etc/x.yaml', before, after),
    '--- a/etc/x.yaml\n+++ b/etc/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n',
  );
  assert.match(
    unifiedDiff('relative/x.yaml', 'a\n', 'b\n'),
    /^--- a\/relative\/x\.yaml\n\+\+\+ b\/relative\/x\.yaml\n/,
  );
});

test('a new file is diffed against /dev/null', () => {
  const diff = unifiedDiff(PATH, null, 'a: 1\nb: 2\n');
  assert.equal(diff, `--- /dev/null\n+++ b${PATH}\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n`);
});

test('no change, no diff', () => {
  assert.equal(unifiedDiff(PATH, CONFIG(OLD_KEY), CONFIG(OLD_KEY)), '');
  assert.equal(unifiedDiff(PATH, '', ''), '');
});

test('a url change shows, the unchanged key masked in context', () => {
  const diff = unifiedDiff(PATH, CONFIG(OLD_KEY, 'https://old.example.com'), CONFIG(OLD_KEY));
  noKeys(diff, OLD_KEY);
  assert.match(
    diff,
    /\n- {6}url: "https:\/\/old\.example\.com"\n\+ {6}url: "https:\/\/mcs2-cloudstation-eu-west-1\.prod\.hydra\.sophos\.com"\n {7}api_key: \*{8}\n/,
  );
  assert.doesNotMatch(diff, /\(changed\)/);
});

test('a key change alone shows as a changed line, masked on both sides', () => {
  const diff = unifiedDiff(PATH, CONFIG(OLD_KEY), CONFIG(NEW_KEY));
  noKeys(diff, OLD_KEY, NEW_KEY);
  assert.match(diff, /\n- {6}api_key: \*{8}\n\+ {6}api_key: \*{8} \(changed\)\n/);
  const patch = parsePatch(diff);
  assert.equal(patch.length, 1);
  assert.equal(patch[0]?.hunks.length, 1);
});

test('a key change with a url change', () => {
  const diff = unifiedDiff(PATH, CONFIG(OLD_KEY, 'https://old.example.com'), CONFIG(NEW_KEY));
  noKeys(diff, OLD_KEY, NEW_KEY);
  assert.match(diff, /\+ {6}api_key: \*{8} \(changed\)\n/);
});

test('a new mcs output shows its key masked', () => {
  const before = CONFIG(OLD_KEY).replace(/ {4}- type: mcs\n(?: {6}.*\n){3}/, '');
  const diff = unifiedDiff(PATH, before, CONFIG(NEW_KEY));
  noKeys(diff, NEW_KEY);
  assert.match(diff, /\n\+ {4}- type: mcs\n\+ {6}enabled: true\n\+ {6}url: "https:.*"\n\+ {6}api_key: \*{8}\n/);
});

test('every way of writing an api_key is masked', () => {
  const forms = [
    `api_key: "${OLD_KEY}"`,
    `api_key: '${OLD_KEY}'`,
    `api_key: ${OLD_KEY}`,
    `api_key:    ${OLD_KEY}   # from the vault`,
    `"api_key": "${OLD_KEY}"`,
    `'api_key' : ${OLD_KEY}`,
    `- api_key: ${OLD_KEY}`,
    `  - {type: mcs, api_key: ${OLD_KEY}, url: "https://x"}`,
    `  - {type: mcs, "api_key":"${OLD_KEY}"}`,
    `api_key: "${OLD_KEY} with \\" escaped quote"`,
    `api_key: it's ${OLD_KEY}, really`,
    `api_key: ${OLD_KEY}#not-a-comment`,
  ];
  for (const form of forms) {
    const diff = unifiedDiff(PATH, `a: 1\n${form}\n`, `a: 2\n${form}\n`);
    noKeys(diff, OLD_KEY);
    assert.match(diff, /\*{8}/, form);
    assert.doesNotMatch(diff, /really|escaped|not-a-comment/, form);
  }
  assert.match(
    unifiedDiff(PATH, 'a: 1\n', `api_key: ${OLD_KEY}   # from the vault\n`),
    /api_key: \*{8} {3}# from the vault/,
  );
});

test('a key in a block scalar is masked line by line', () => {
  const before = `a: 1\napi_key: |\n  ${OLD_KEY}\n\n  second-line-secret\nb: 1\n`;
  const diff = unifiedDiff(PATH, before, before.replace('a: 1', 'a: 2').replace('b: 1', 'b: 2'));
  noKeys(diff, OLD_KEY, 'second-line-secret');
  assert.match(diff, / api_key: \*{8}\n {3}\*{8}\n \n {3}\*{8}\n-b: 1\n\+b: 2\n/);
  const changed = unifiedDiff(PATH, before, before.replace('second-line-secret', 'another-secret'));
  noKeys(changed, OLD_KEY, 'second-line-secret', 'another-secret');
  assert.match(changed, /\n-api_key: \*{8}\n\+api_key: \*{8} \(changed\)\n/);
});

test('names that only contain api_key are not masked', () => {
  const diff = unifiedDiff(PATH, 'my_api_key_rotation: weekly\n', 'my_api_key_rotation: daily\n');
  assert.match(diff, /\+my_api_key_rotation: daily/);
});

test("the run's registered secrets are masked anywhere in the diff", () => {
  const redactor = new Redactor();
  redactor.register('hunter2-db-password');
  const diff = unifiedDiff('/etc/app.conf', 'password = old\n', 'password = hunter2-db-password\n', {
    redact: (t) => redactor.redact(t),
  });
  assert.ok(!diff.includes('hunter2-db-password'));
  assert.match(diff, /\+password = \*{8}/);
});

/** The settings of a real edit: Ireland, the new key. */
const IRELAND_WITH_NEW_KEY = {
  url: 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com',
  apiKey: NEW_KEY,
  deployment: 'package' as const,
  certDir: '/etc/sophos',
};

test('the diff of a real config edit never holds a key', () => {
  const want = IRELAND_WITH_NEW_KEY;
  for (const before of [
    null,
    CONFIG(OLD_KEY),
    CONFIG(OLD_KEY, 'https://old.example.com'),
    CONFIG(NEW_KEY, 'https://old.example.com'),
  ]) {
    const edit = editSensorConfig(before, want);
    assert.ok(edit.ok);
    const diff = unifiedDiff(PATH, before, edit.text);
    assert.notEqual(diff, '');
    noKeys(diff, OLD_KEY, NEW_KEY);
  }
});

test('old keys written with a tag, an anchor, on the next line or as a block are masked in the diff of a real edit', () => {
  const want = IRELAND_WITH_NEW_KEY;
  const forms = [
    `!!str ${OLD_KEY}`,
    `&a ${OLD_KEY}`,
    `!!str &b ${OLD_KEY} tail-words`,
    `\n        ${OLD_KEY} next-line-tail`,
    `|\n        ${OLD_KEY}\n        block-second-line`,
    `>-\n        ${OLD_KEY}\n        folded-second-line`,
    `${OLD_KEY} has spaces unquoted`,
  ];
  for (const form of forms) {
    const before = CONFIG(OLD_KEY).replace(`api_key: "${OLD_KEY}"`, `api_key: ${form}`);
    const edit = editSensorConfig(before, want);
    assert.ok(edit.ok, form);
    assert.ok(!edit.text.includes(OLD_KEY), `old key kept in the new file: ${edit.text}`);
    const diff = unifiedDiff(PATH, before, edit.text);
    noKeys(
      diff,
      OLD_KEY,
      NEW_KEY,
      'tail-words',
      'next-line-tail',
      'block-second-line',
      'folded-second-line',
      'has spaces unquoted',
    );
    assert.match(diff, /\n\+.*\*{8} \(changed\)\n/, diff);
  }
});

test('the mask does not stop at " #" inside a quoted key', () => {
  const key = 'new-key #tail-of-new-key';
  const diff = unifiedDiff(PATH, CONFIG(OLD_KEY), CONFIG(key.replace(/"/g, '\\"')));
  noKeys(diff, OLD_KEY, 'tail-of-new-key');
});

test('an api_key given by *alias masks the anchored value where it is written', () => {
  const before = `keys:\n  prod: &k ${OLD_KEY}\nalert_output:\n  outputs:\n    - type: mcs\n      api_key: *k\n`;
  const diff = unifiedDiff(PATH, before, before.replace('outputs:', 'outputs:   # edited'));
  noKeys(diff, OLD_KEY);
});

test('keys named in secretKeys are masked too, in any YAML style', () => {
  const diff = unifiedDiff(
    '/etc/app.yaml',
    'a: 1\nlicence: &l !!str lic-old-value-1234\n',
    'a: 2\nlicence: &l !!str lic-old-value-1234\n',
    { secretKeys: ['licence'] },
  );
  assert.ok(!diff.includes('lic-old-value-1234'), diff);
  assert.match(diff, / licence: &l !!str \*{8}\n/);
  assert.match(unifiedDiff('/etc/app.yaml', 'licence: x1234\n', 'licence: y1234\n'), /\+licence: y1234/);
});
