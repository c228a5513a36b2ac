import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeMcsOutput } from '../../../src/sls/config-remove.ts';
import { MCS_CONFIG, OPERATOR_CONFIG } from '../../fleet/profiles.ts';

test('sls_central=absent cuts the mcs entry and keeps every other byte', () => {
  const edit = removeMcsOutput(MCS_CONFIG, '/etc/sophos/runtimedetections.yaml');
  assert.ok(edit.ok);
  const mcsLines = [
    '    - type: mcs\n',
    '      enabled: true\n',
    '      url: "https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com"\n',
    '      api_key: "old-repository-token-0000"\n',
  ];
  assert.equal(edit.text, MCS_CONFIG.replace(mcsLines.join(''), ''));
  assert.deepEqual(edit.changes, ['mcs output removed']);
});

test('an mcs entry between two others: only its lines go, comments of the next entry stay', () => {
  const text =
    'alert_output:\n  outputs:\n    - type: stdout\n      enabled: true\n    - type: mcs\n      url: "https://x"\n      api_key: k\n    # the archive\n    - type: file\n      path: /var/log/a.json\n';
  const edit = removeMcsOutput(text, 'f');
  assert.ok(edit.ok);
  assert.equal(
    edit.text,
    'alert_output:\n  outputs:\n    - type: stdout\n      enabled: true\n    # the archive\n    - type: file\n      path: /var/log/a.json\n',
  );
});

test('the only output removed leaves an empty list; no mcs output or no file changes nothing', () => {
  const only = removeMcsOutput('alert_output:\n  outputs:\n    - type: mcs\n      url: "https://x"\n', 'f');
  assert.ok(only.ok);
  assert.equal(only.text, 'alert_output:\n  outputs: []\n');
  const none = removeMcsOutput(OPERATOR_CONFIG, 'f');
  assert.ok(none.ok);
  assert.equal(none.text, OPERATOR_CONFIG);
  const absent = removeMcsOutput(null, 'f');
  assert.ok(absent.ok && absent.text === '');
});

test('two mcs outputs or a file that does not parse: a failure, nothing changed', () => {
  const two = removeMcsOutput('alert_output:\n  outputs:\n    - type: mcs\n    - type: mcs\n', 'f');
  assert.equal(two.ok, false);
  assert.equal(removeMcsOutput('a: [\n', 'f').ok, false);
});

test('an mcs entry written as an alias, or through a merge key, is found and removed', () => {
  const aliased =
    'base: &mcs\n  type: mcs\n  url: "https://x"\nalert_output:\n  outputs:\n    - type: stdout\n    - *mcs\n';
  const edit = removeMcsOutput(aliased, 'f');
  assert.ok(edit.ok, JSON.stringify(edit));
  assert.equal(
    edit.text,
    'base: &mcs\n  type: mcs\n  url: "https://x"\nalert_output:\n  outputs:\n    - type: stdout\n',
  );
  const merged =
    'base: &b\n  type: mcs\nalert_output:\n  outputs:\n    - <<: *b\n      url: "https://x"\n    - type: stdout\n';
  const m = removeMcsOutput(merged, 'f');
  assert.ok(m.ok, JSON.stringify(m));
  assert.equal(m.text, 'base: &b\n  type: mcs\nalert_output:\n  outputs:\n    - type: stdout\n');
});
