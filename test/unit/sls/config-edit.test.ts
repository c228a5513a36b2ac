import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { editSensorConfig, type SensorConfigEdit, type SensorConfigWant } from '../../../src/sls/config-edit.ts';
import { RESPELLABLE_SCALARS } from '../../helpers/yaml-spellings.ts';

const KEY = 'sls-repo-token-7f3a9c2e41d84b0e';
const OLD_KEY = 'old-token-0000aaaa1111bbbb';
const IRELAND = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const WANT: SensorConfigWant = { url: IRELAND, apiKey: KEY, deployment: 'package', certDir: '/etc/sophos' };
const CONTAINER: SensorConfigWant = { ...WANT, deployment: 'container', certDir: '/etc/sophos-certs' };

function edited(text: string | null, want = WANT): Extract<SensorConfigEdit, { ok: true }> {
  const result = editSensorConfig(text, want);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result;
}

function failure(text: string | null, want = WANT, file?: string): Extract<SensorConfigEdit, { ok: false }> {
  const result = editSensorConfig(text, want, file);
  assert.equal(result.ok, false);
  assert.ok(!result.ok);
  return result;
}

/** The edit's own output must be left exactly as it is. */
function assertIdempotent(text: string, want = WANT): void {
  const again = edited(text, want);
  assert.equal(again.changed, false);
  assert.deepEqual(again.changes, []);
  assert.equal(again.text, text);
}

/** Every line of `before` is still there, in order, spelled the same. */
function assertLinesKept(before: string, after: string): void {
  const out = after.split('\n');
  let at = 0;
  for (const line of before.split('\n')) {
    const found = out.indexOf(line, at);
    assert.ok(found >= 0, `line lost or respelled: ${JSON.stringify(line)}\n--- after ---\n${after}`);
    at = found + 1;
  }
}

const mcsOutputs = (text: string) =>
  (parse(text) as { alert_output: { outputs: Array<Record<string, unknown>> } }).alert_output.outputs.filter(
    (o) => o.type === 'mcs',
  );

// A config as an operator keeps it: header comments, telemetry settings, a stdout output whose
// template holds Go template braces, a file output, blank lines, an inline comment.
const OPERATOR_CONFIG = `# Sophos Linux Sensor - runtime detections
# Owner: platform-security@example.com (ticket SEC-1142)
customer_id: "3f2b9a70-1c4e-4d2a-9a55-0e6c7d8b9f10"
cloud_meta: auto   # picks up AWS/GCP instance metadata
send_labs_telemetry: false
endpoint_telemetry_enabled: true

alert_output:
  outputs:
    # journald copy, used by the on-call runbook
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'
    - type: file
      enabled: true
      file_path: /var/log/sophos/alerts.json
      template: '{{ json . }}'

# Tuning below is owned by the detection team
investigations:
  reporting_interval: 5s
`;

test('a typical operator config gets the mcs output appended, everything else kept byte for byte', () => {
  const r = edited(OPERATOR_CONFIG);
  assert.equal(r.changed, true);
  assert.deepEqual(r.changes, ['mcs output added']);
  assert.equal(
    r.text,
    OPERATOR_CONFIG.replace(
      "      template: '{{ json . }}'\n",
      "      template: '{{ json . }}'\n" +
        '    - type: mcs\n' +
        '      enabled: true\n' +
        `      url: "${IRELAND}"\n` +
        `      api_key: "${KEY}"\n`,
    ),
  );
  assertLinesKept(OPERATOR_CONFIG, r.text);
  assertIdempotent(r.text);
});

const WITH_MCS = `customer_id: "3f2b9a70-1c4e-4d2a-9a55-0e6c7d8b9f10"
alert_output:
  outputs:
    - type: stdout
      template: 'Alert triggered: {{ .StrategyName}}'
    # Central export, added by hand in March
    - type: mcs
      enabled: true
      url: "https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com"   # old tenant
      api_key: '${OLD_KEY}'
      extra_setting: 7
    - type: file
      file_path: /var/log/sophos/alerts.json
`;

test('an existing mcs entry is updated in place, not duplicated, quoting and comments kept', () => {
  const r = edited(WITH_MCS);
  assert.deepEqual(r.changes, [
    'mcs url updated (was https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com)',
    'mcs api_key updated',
  ]);
  assert.equal(
    r.text,
    WITH_MCS.replace('https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', IRELAND).replace(OLD_KEY, KEY),
  );
  assert.equal(mcsOutputs(r.text).length, 1);
  assertIdempotent(r.text);
});

test('only the fields that differ are updated', () => {
  const r = edited(WITH_MCS.replace(OLD_KEY, KEY));
  assert.deepEqual(r.changes, ['mcs url updated (was https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com)']);
  const k = edited(WITH_MCS.replace('https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', IRELAND));
  assert.deepEqual(k.changes, ['mcs api_key updated']);
  assert.ok(!k.text.includes(OLD_KEY));
});

test('a converged config is not changed: same text, no changes', () => {
  const text = WITH_MCS.replace('https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', IRELAND).replace(
    OLD_KEY,
    KEY,
  );
  assertIdempotent(text);
});

test('a disabled mcs output is re-enabled', () => {
  const text = WITH_MCS.replace(
    '      enabled: true\n      url',
    '      enabled: false  # waiting for licence\n      url',
  );
  const r = edited(text);
  assert.equal(r.changes[0], 'mcs output enabled (it was disabled)');
  assert.match(r.text, /- type: mcs\n {6}enabled: true {2}# waiting for licence\n/);
  assertIdempotent(r.text);
});

test('enabled written as a string, or missing, becomes the boolean true', () => {
  const quoted = edited(WITH_MCS.replace('      enabled: true\n      url', '      enabled: "true"\n      url'));
  assert.equal(quoted.changes[0], 'mcs output enabled');
  assert.equal(mcsOutputs(quoted.text)[0]?.enabled, true);
  const missing = edited(WITH_MCS.replace('      enabled: true\n      url', '      url'));
  assert.equal(missing.changes[0], 'mcs output enabled');
  assert.equal(mcsOutputs(missing.text)[0]?.enabled, true);
  assertIdempotent(missing.text);
});

test('an mcs entry without url or api_key gets them', () => {
  const r = edited('alert_output:\n  outputs:\n    - type: mcs\n      enabled: true\n');
  assert.deepEqual(r.changes, ['mcs url set', 'mcs api_key set']);
  assert.deepEqual(mcsOutputs(r.text), [{ type: 'mcs', enabled: true, url: IRELAND, api_key: KEY }]);
});

const NEW_FILE = `alert_output:
  outputs:
    - type: mcs
      enabled: true
      url: "${IRELAND}"
      api_key: "${KEY}"
`;

test('no file: the content is created', () => {
  const r = edited(null);
  assert.equal(r.changed, true);
  assert.deepEqual(r.changes, ['mcs output added']);
  assert.equal(r.text, NEW_FILE);
  assertIdempotent(r.text);
});

test('an empty or blank file is treated as no settings', () => {
  for (const text of ['', '\n', '   \n\n', '---\n', '{}\n', '~\n']) {
    const r = edited(text);
    assert.deepEqual(r.changes, ['mcs output added'], JSON.stringify(text));
    assert.deepEqual(mcsOutputs(r.text), [{ type: 'mcs', enabled: true, url: IRELAND, api_key: KEY }]);
    assertIdempotent(r.text);
  }
});

test('a file of comments only keeps its comments', () => {
  const r = edited('# placeholder, filled in by the sensor installer\n');
  assert.match(r.text, /^# placeholder, filled in by the sensor installer\n/);
  assert.deepEqual(mcsOutputs(r.text).length, 1);
  assertIdempotent(r.text);
});

test('alert_output or outputs left empty are filled in', () => {
  for (const text of [
    'customer_id: x\nalert_output:\n',
    'alert_output:\n  outputs:\n',
    'alert_output:\n  outputs: []\n',
    'alert_output: {}\n',
  ]) {
    const r = edited(text);
    assert.deepEqual(r.changes, ['mcs output added'], text);
    assert.equal(mcsOutputs(r.text).length, 1, text);
    assert.match(r.text, /\n {4}- type: mcs\n/, text);
    assertIdempotent(r.text);
  }
});

test('other keys of alert_output are kept', () => {
  const r = edited('alert_output:\n  batch_size: 50   # per flush\n  outputs:\n    - type: stdout\n');
  assert.match(
    r.text,
    /^alert_output:\n {2}batch_size: 50 {3}# per flush\n {2}outputs:\n {4}- type: stdout\n {4}- type: mcs\n/,
  );
});

test('YAML that does not parse fails with file and line and is not changed; the key on that line is not echoed', () => {
  const text = `customer_id: abc\nalert_output:\n  outputs:\n    - type: mcs\n      api_key: "${OLD_KEY}\n      url: x\n`;
  const r = failure(text);
  assert.match(
    r.message,
    /^\/etc\/sophos\/runtimedetections\.yaml:\d+: YAML syntax error: .+; fix the file by hand, it was not changed$/,
  );
  assert.ok(r.line !== undefined && r.line >= 5);
  assert.ok(!r.message.includes(OLD_KEY) && !r.message.includes(KEY));
});

test('a syntax error names the line', () => {
  const r = failure('customer_id: abc\ncloud_meta: auto\nalert_output:\n  outputs: - type: stdout\n');
  assert.equal(r.line, 4);
  assert.match(r.message, /^\/etc\/sophos\/runtimedetections\.yaml:4: YAML syntax error: /);
  const tab = failure('alert_output:\n\toutputs: []\n');
  assert.equal(tab.line, 2);
});

test('a duplicated key is a syntax error too', () => {
  const r = failure('alert_output:\n  outputs: []\nalert_output:\n  outputs: []\n');
  assert.equal(r.line, 3);
});

test('several YAML documents fail', () => {
  const r = failure('customer_id: a\n---\ncustomer_id: b\n');
  assert.match(r.message, /holds more than one YAML document/);
});

test('a top level that is not a mapping fails with its line', () => {
  const list = failure('# header\n- type: mcs\n');
  assert.equal(list.line, 2);
  assert.equal(
    list.message,
    '/etc/sophos/runtimedetections.yaml:2: the top level is a list, not a mapping of settings; fix the file by hand, it was not changed',
  );
  assert.match(failure('just some text\n').message, /the top level is the value text, not a mapping/);
});

test('alert_output that is not a mapping fails with its line', () => {
  const r = failure('customer_id: a\nalert_output:\n  - type: mcs\n');
  assert.equal(r.line, 3);
  assert.match(r.message, /:3: alert_output is a list, not a mapping; fix the file by hand/);
  assert.match(failure('alert_output: stdout\n').message, /:1: alert_output is the value text, not a mapping/);
});

test('outputs that is not a list fails with its line', () => {
  const map = failure('customer_id: a\nalert_output:\n  outputs:\n    type: mcs\n    enabled: true\n');
  assert.equal(map.line, 4);
  assert.match(
    map.message,
    /:4: alert_output\.outputs is a mapping, not a list of outputs; fix the file by hand, it was not changed$/,
  );
  assert.match(failure('alert_output:\n  outputs: stdout\n').message, /:2: alert_output\.outputs is the value text/);
  assert.match(failure('alert_output:\n  outputs: true\n').message, /alert_output\.outputs is the value true/);
});

test('several mcs outputs fail, naming their lines, without echoing any key', () => {
  const text = `alert_output:\n  outputs:\n    - type: mcs\n      url: "https://a.example.com"\n      api_key: "${OLD_KEY}"\n    - type: stdout\n    - type: mcs\n      enabled: false\n      api_key: "${KEY}"\n`;
  const r = failure(text);
  assert.equal(r.line, 7);
  assert.equal(
    r.message,
    '/etc/sophos/runtimedetections.yaml:7: 2 mcs outputs (lines 3, 7), the sensor needs exactly one: ' +
      'delete all but the one to keep, then run again; fix the file by hand, it was not changed',
  );
});

test('the file path in messages is the one given', () => {
  const r = failure('alert_output: [1]\n', WANT, '/opt/sls/etc/runtimedetections.yaml');
  assert.match(r.message, /^\/opt\/sls\/etc\/runtimedetections\.yaml:1: /);
});

test('outputs that are not mappings, and other types, are left alone', () => {
  const text = 'alert_output:\n  outputs:\n    - stdout\n    - type: MCS   # not ours: the sensor matches lower case\n';
  const r = edited(text);
  assertLinesKept(text, r.text);
  assert.equal(mcsOutputs(r.text).length, 1);
});

test('a file whose lists are not indented keeps that style', () => {
  const text =
    'customer_id: abc\nalert_output:\n  outputs:\n  - type: stdout\n    template: "Alert triggered: {{ .StrategyName}}"\n';
  const r = edited(text);
  assert.equal(r.text, `${text}  - type: mcs\n    enabled: true\n    url: "${IRELAND}"\n    api_key: "${KEY}"\n`);
  assertIdempotent(r.text);
});

test('a file indented by four spaces keeps that indentation', () => {
  const text = 'alert_output:\n    outputs:\n        - type: stdout\n          enabled: true\n';
  const r = edited(text);
  assert.equal(
    r.text,
    `${text}        - type: mcs\n          enabled: true\n          url: "${IRELAND}"\n          api_key: "${KEY}"\n`,
  );
});

test('CRLF line endings are kept', () => {
  const text = OPERATOR_CONFIG.replace(/\n/g, '\r\n');
  const r = edited(text);
  assert.ok(!/[^\r]\n/.test(r.text), 'every line ends in CRLF');
  assertLinesKept(text.replace(/\r\n/g, '\n'), r.text.replace(/\r\n/g, '\n'));
  assertIdempotent(r.text);
});

test('a key with YAML-special characters is written so that it reads back exactly', () => {
  for (const apiKey of ['a"b\\c', "it's: #1", '@start', 'true', '12345678', ' padded ', 'multi\nline']) {
    const want = { ...WANT, apiKey };
    const fresh = edited(null, want);
    assert.equal(mcsOutputs(fresh.text)[0]?.api_key, apiKey, JSON.stringify(apiKey));
    const updated = edited(WITH_MCS, want);
    assert.equal(mcsOutputs(updated.text)[0]?.api_key, apiKey, JSON.stringify(apiKey));
    assertIdempotent(updated.text, want);
  }
});

test('a url whose only change is spacing is still written', () => {
  const text = WITH_MCS.replace(OLD_KEY, KEY).replace(
    'https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com',
    'https://a  b',
  );
  const r = edited(text, { ...WANT, url: 'https://a b' });
  assert.equal(mcsOutputs(r.text)[0]?.url, 'https://a b');
});

// The vendor's own container example, including its mistake: a .crt in the revocation list.
const VENDOR_CONTAINER = `alert_output:
  outputs:
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'
mcs_certs: ["/etc/sophos-certs/sophosca1.crt", "/etc/sophos-certs/sophosca2.crt"]
certificate_revocation_list: ["/etc/sophos-certs/sophosca1.crl", "/etc/sophos-certs/sophosca2.crt"]
`;

test('container: the .crt in certificate_revocation_list is fixed and reported', () => {
  const r = edited(VENDOR_CONTAINER, CONTAINER);
  assert.deepEqual(r.changes, [
    'mcs output added',
    'certificate_revocation_list listed sophosca2.crt, a certificate; replaced with sophosca2.crl',
  ]);
  assert.match(
    r.text,
    /\nmcs_certs: \["\/etc\/sophos-certs\/sophosca1\.crt", "\/etc\/sophos-certs\/sophosca2\.crt"\]\ncertificate_revocation_list: \["\/etc\/sophos-certs\/sophosca1\.crl", "\/etc\/sophos-certs\/sophosca2\.crl"\]\n$/,
  );
  assertIdempotent(r.text, CONTAINER);
});

test('container: a new file gets both lists for pairs 1 and 2 by default', () => {
  const r = edited(null, CONTAINER);
  assert.deepEqual(r.changes, [
    'mcs output added',
    'mcs_certs set to sophosca1.crt, sophosca2.crt',
    'certificate_revocation_list set to sophosca1.crl, sophosca2.crl',
  ]);
  assert.equal(
    r.text,
    NEW_FILE +
      'mcs_certs: ["/etc/sophos-certs/sophosca1.crt", "/etc/sophos-certs/sophosca2.crt"]\n' +
      'certificate_revocation_list: ["/etc/sophos-certs/sophosca1.crl", "/etc/sophos-certs/sophosca2.crl"]\n',
  );
  assertIdempotent(r.text, CONTAINER);
});

test('container: the lists follow the pairs present', () => {
  const one = edited(VENDOR_CONTAINER, { ...CONTAINER, containerPairs: [1] });
  assert.deepEqual(one.changes, [
    'mcs output added',
    'mcs_certs set to sophosca1.crt',
    'certificate_revocation_list listed sophosca2.crt, a certificate; removed',
    'certificate_revocation_list set to sophosca1.crl',
  ]);
  const three = edited(null, { ...CONTAINER, certDir: '/etc/sophos-certs/', containerPairs: [1, 2, 3] });
  assert.match(three.text, /mcs_certs: \[.*"\/etc\/sophos-certs\/sophosca3\.crt"\]/);
  assert.match(three.text, /certificate_revocation_list: \[.*"\/etc\/sophos-certs\/sophosca3\.crl"\]/);
});

test('container: correct lists in any order and block style are left alone', () => {
  const text = `${NEW_FILE}mcs_certs:\n  - /etc/sophos-certs/sophosca2.crt\n  - /etc/sophos-certs/sophosca1.crt\ncertificate_revocation_list:\n  - /etc/sophos-certs/sophosca1.crl\n  - /etc/sophos-certs/sophosca2.crl\n`;
  assertIdempotent(text, CONTAINER);
});

test('container: a block list that must change stays a block list', () => {
  const text = `${NEW_FILE}certificate_revocation_list:   # from the vendor guide\n  - /etc/sophos-certs/sophosca1.crl\n  - /etc/sophos-certs/sophosca2.crt\n`;
  const r = edited(text, CONTAINER);
  assert.match(
    r.text,
    /certificate_revocation_list: {3}# from the vendor guide\n {2}- \/etc\/sophos-certs\/sophosca1\.crl\n {2}- \/etc\/sophos-certs\/sophosca2\.crl\n/,
  );
  assertIdempotent(r.text, CONTAINER);
});

test('container: no certificate pair fails', () => {
  assert.match(failure(null, { ...CONTAINER, containerPairs: [] }).message, /no certificate pair to reference/);
});

test('package mode leaves the certificate lists alone except a .crt in the revocation list', () => {
  const ok = `${NEW_FILE}mcs_certs: ["/opt/ca/custom.crt"]\ncertificate_revocation_list: ["/opt/ca/custom.crl"]\n`;
  assertIdempotent(ok);
  const r = edited(
    `${NEW_FILE}certificate_revocation_list: ["/etc/sophos/sophosca1.crl", "/etc/sophos/sophosca2.crt"]\n`,
  );
  assert.deepEqual(r.changes, [
    'certificate_revocation_list listed sophosca2.crt, a certificate; replaced with sophosca2.crl',
  ]);
  assert.match(
    r.text,
    /certificate_revocation_list: \["\/etc\/sophos\/sophosca1\.crl", "\/etc\/sophos\/sophosca2\.crl"\]/,
  );
  const dup = edited(
    `${NEW_FILE}certificate_revocation_list: ["/etc/sophos/sophosca2.crl", "/etc/sophos/sophosca2.crt"]\n`,
  );
  assert.deepEqual(dup.changes, [
    'certificate_revocation_list listed sophosca2.crt, a certificate; removed (sophosca2.crl is already listed)',
  ]);
  assert.match(dup.text, /certificate_revocation_list: \["\/etc\/sophos\/sophosca2\.crl"\]\n/);
});

test('no key, old or new, appears in any change or message', () => {
  const inputs: Array<[string | null, SensorConfigWant]> = [
    [null, WANT],
    [OPERATOR_CONFIG, WANT],
    [WITH_MCS, WANT],
    [WITH_MCS, CONTAINER],
    // An operator who pasted the key into the url field: the old url is not quoted back.
    [WITH_MCS.replace('https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', OLD_KEY), WANT],
    [
      WITH_MCS.replace('https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', `https://x.example.com/${OLD_KEY}`),
      WANT,
    ],
    [`alert_output:\n  outputs:\n    - type: mcs\n      api_key: ${OLD_KEY}\n    - type: mcs\n`, WANT],
    [`alert_output:\n  outputs: {api_key: ${OLD_KEY}}\n`, WANT],
    [`api_key: "${OLD_KEY}\n`, WANT],
    [`- api_key: ${OLD_KEY}\n`, WANT],
  ];
  for (const [text, want] of inputs) {
    const result = editSensorConfig(text, want);
    const said = JSON.stringify(result.ok ? result.changes : result);
    assert.ok(!said.includes(KEY), said);
    assert.ok(!said.includes(OLD_KEY), said);
  }
  const pasted = edited(inputs[4]![0]);
  assert.equal(pasted.changes[0], 'mcs url updated');
});

// Spellings a re-print of the whole document would change: a literal tab inside quotes, escapes,
// a quoted string over two lines, a folded block, odd spacing, a flow mapping, a document marker.
const RESPELLABLE = `%YAML 1.2
---
customer_id: "3f2b9a70"
${RESPELLABLE_SCALARS}
  second paragraph
flow: {a: 1,   b: [x,y]}
plain_multi: one
  two
alert_output:
  outputs:
    - type: stdout
      template: 'Alert triggered: {{ .StrategyName}}'   # kept
    - type: mcs
      enabled:   false
      url: https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com
      api_key: '${OLD_KEY}'
tail: 'x'  # end
`;

test('bytes outside the edited nodes stay byte for byte: tabs, escapes, two-line strings, folded blocks', () => {
  const r = edited(RESPELLABLE);
  assert.equal(
    r.text,
    RESPELLABLE.replace('enabled:   false', 'enabled:   true')
      .replace('url: https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com', `url: ${IRELAND}`)
      .replace(`'${OLD_KEY}'`, `'${KEY}'`),
  );
  assertIdempotent(r.text);
});

test('an added mcs output leaves every other byte as it was', () => {
  const text = RESPELLABLE.replace(/ {4}- type: mcs\n[\s\S]*?(?=tail:)/, '');
  const r = edited(text);
  assert.equal(
    r.text,
    text.replace(
      "      template: 'Alert triggered: {{ .StrategyName}}'   # kept\n",
      "      template: 'Alert triggered: {{ .StrategyName}}'   # kept\n" +
        `    - type: mcs\n      enabled: true\n      url: "${IRELAND}"\n      api_key: "${KEY}"\n`,
    ),
  );
  const crlf = edited(text.replace(/\n/g, '\r\n'));
  assert.equal(crlf.text, r.text.replace(/\n/g, '\r\n'));
});

test('a new alert_output is added at the end without touching the rest', () => {
  const text = 'note: "tab\there"\nstory: >\n  folded\n  text\n';
  const r = edited(text);
  assert.equal(
    r.text,
    `${text}alert_output:\n  outputs:\n    - type: mcs\n      enabled: true\n      url: "${IRELAND}"\n      api_key: "${KEY}"\n`,
  );
});

const mergedMcs = (text: string) =>
  (
    parse(text, { merge: true }) as { alert_output: { outputs: Array<Record<string, unknown>> } }
  ).alert_output.outputs.filter((o) => o?.type === 'mcs');

test('an mcs entry that is an *alias fails with both lines and changes nothing; it is never duplicated', () => {
  const text = `templates:\n  central: &mcs\n    type: mcs\n    enabled: true\n    url: "https://old.example.com"\n    api_key: "${OLD_KEY}"\nalert_output:\n  outputs:\n    - type: stdout\n    - *mcs\n`;
  const r = failure(text);
  assert.equal(r.line, 10);
  assert.equal(
    r.message,
    '/etc/sophos/runtimedetections.yaml:10: the mcs output is the alias *mcs of the mapping at line 3, which cannot be edited here ' +
      'without changing it there too: write the mcs entry out in full under alert_output.outputs (no *alias), then run again; ' +
      'fix the file by hand, it was not changed',
  );
});

test('an mcs entry and an alias of it in the same list are two outputs', () => {
  const text = `alert_output:\n  outputs:\n    - &m {type: mcs, url: "https://a.example.com", api_key: "${OLD_KEY}"}\n    - *m\n`;
  assert.match(failure(text).message, /2 mcs outputs \(lines 3, 4\)/);
});

test('an entry whose type and fields come from a <<: merge key gets its own fields; the shared mapping is not changed', () => {
  const base = `defaults: &base\n  type: mcs\n  enabled: true\n  url: "https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com"\n  api_key: "${OLD_KEY}"\n`;
  const text = `${base}alert_output:\n  outputs:\n    - type: stdout   # journal\n    - <<: *base\n`;
  const r = edited(text);
  assert.deepEqual(r.changes, [
    'mcs url updated (was https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com)',
    'mcs api_key updated',
  ]);
  assert.equal(r.text, `${text}      url: "${IRELAND}"\n      api_key: "${KEY}"\n`);
  assert.deepEqual(mergedMcs(r.text), [{ type: 'mcs', enabled: true, url: IRELAND, api_key: KEY }]);
  assertIdempotent(r.text);
});

test('a merge entry with its own fields is updated in place; one already right is left alone', () => {
  const text = `base: &b {type: mcs, enabled: false}\nalert_output:\n  outputs:\n    - <<: [*b]\n      api_key: '${OLD_KEY}'   # rotated yearly\n`;
  const r = edited(text);
  assert.deepEqual(r.changes, ['mcs output enabled (it was disabled)', 'mcs url set', 'mcs api_key updated']);
  assert.equal(
    r.text,
    `base: &b {type: mcs, enabled: false}\nalert_output:\n  outputs:\n    - <<: [*b]\n      api_key: '${KEY}'   # rotated yearly\n      enabled: true\n      url: "${IRELAND}"\n`,
  );
  assertIdempotent(r.text);
  const right = `base: &b {type: mcs, enabled: true, url: "${IRELAND}", api_key: "${KEY}"}\nalert_output:\n  outputs:\n    - <<: *b\n`;
  assertIdempotent(right);
});

test('an mcs entry, or a field of it, anchored and used elsewhere is not edited', () => {
  const entry = `alert_output:\n  outputs:\n    - &m\n      type: mcs\n      url: "https://old.example.com"\n      api_key: "${OLD_KEY}"\nbackup: *m\n`;
  assert.match(
    failure(entry).message,
    /:4: the mcs output is anchored as &m and used elsewhere as \*m, so editing it would change that too/,
  );
  const field = `alert_output:\n  outputs:\n    - type: mcs\n      enabled: true\n      url: &u "https://old.example.com"\n      api_key: "${KEY}"\nmirror: *u\n`;
  const r = failure(field);
  assert.equal(r.line, 5);
  assert.match(r.message, /the mcs url is anchored as &u and used elsewhere as \*u/);
});

test('an old anchor, tag or alias on api_key does not carry the old key into the new file', () => {
  const text = (value: string) =>
    `keys:\n  old: &k "${OLD_KEY}"\nalert_output:\n  outputs:\n    - type: mcs\n      enabled: true\n      url: "${IRELAND}"\n      api_key: ${value}\n`;
  assert.equal(edited(text(`&a '${OLD_KEY}'`)).text, text(`&a '${KEY}'`));
  assert.equal(edited(text(`!!str ${OLD_KEY}`)).text, text(`!!str ${KEY}`));
  assert.equal(edited(text(`!!binary ${OLD_KEY}`)).text, text(KEY));
  assert.equal(edited(text('*k')).text, text(`"${KEY}"`));
  const block = edited(text(`|\n        ${OLD_KEY}`));
  assert.equal(block.text, text(`"${KEY}"`));
  assertIdempotent(block.text);
});

test('container: the mcs output and both certificate lists are added when alert_output is the last key, in that order', () => {
  for (const end of ['\n', '']) {
    const text = `# sls in docker\nalert_output:\n  outputs:\n    - type: stdout   # journal\n      enabled: true${end}`;
    const r = edited(text, CONTAINER);
    assert.equal(
      r.text,
      `# sls in docker\nalert_output:\n  outputs:\n    - type: stdout   # journal\n      enabled: true\n` +
        `    - type: mcs\n      enabled: true\n      url: "${IRELAND}"\n      api_key: "${KEY}"\n` +
        'mcs_certs: ["/etc/sophos-certs/sophosca1.crt", "/etc/sophos-certs/sophosca2.crt"]\n' +
        'certificate_revocation_list: ["/etc/sophos-certs/sophosca1.crl", "/etc/sophos-certs/sophosca2.crl"]\n',
    );
    assertIdempotent(r.text, CONTAINER);
  }
});
