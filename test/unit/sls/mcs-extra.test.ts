import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editSensorConfig } from '../../../src/sls/config-edit.ts';
import { mcsExtraOf } from '../../../src/sls/mcs-extra.ts';
import { secret } from '../../../src/secrets/secret.ts';
import { redact } from '../../../src/report/secrets.ts';

const want = (values: Record<string, string | number | boolean>) => ({
  url: 'https://mcs.example.com',
  apiKey: 'unit-key-0123456789',
  deployment: 'package' as const,
  certDir: '/etc/sophos',
  extra: { values, secretKeys: [] },
});

const EXISTING = `alert_output:
  outputs:
    - type: mcs # the Central output
      enabled: true
      url: "https://mcs.example.com"
      api_key: "unit-key-0123456789"
      tenant_id: 'old-tenant'   # from the console
      events: false
`;

test('extra keys are added to a new entry after api_key, text quoted, numbers and booleans plain', () => {
  const edit = editSensorConfig(null, want({ tenant_id: 't-1', events: true, batch: 50 }));
  assert.ok(edit.ok);
  assert.match(edit.text, /api_key: "unit-key-0123456789"\n +tenant_id: "t-1"\n +events: true\n +batch: 50\n$/);
  assert.ok(edit.changes.includes('mcs output added'));
});

test('an existing entry is updated in place, its quoting and comments kept, and a second edit changes nothing', () => {
  const edit = editSensorConfig(EXISTING, want({ tenant_id: 'new-tenant', events: true, added: 'x' }));
  assert.ok(edit.ok && edit.changed);
  assert.equal(
    edit.text,
    `${EXISTING.replace("'old-tenant'", "'new-tenant'").replace('events: false', 'events: true')}      added: "x"\n`,
  );
  assert.deepEqual(edit.changes, ['mcs tenant_id updated', 'mcs events updated', 'mcs added set']);
  const again = editSensorConfig(edit.text, want({ tenant_id: 'new-tenant', events: true, added: 'x' }));
  assert.ok(again.ok && !again.changed && again.text === edit.text);
});

test('sls_mcs_extra: vaulted values and credential-named keys are secret and masked everywhere', () => {
  const extra = mcsExtraOf({
    sls_mcs_extra: { tenant_id: 'tenant-visible', token: 'unit-extra-token-77', vaulted: secret('unit-vaulted-88') },
  });
  assert.deepEqual(extra.secretKeys, ['token', 'vaulted']);
  assert.equal(extra.values.vaulted, 'unit-vaulted-88');
  assert.equal(
    redact('a unit-extra-token-77 b unit-vaulted-88 c tenant-visible'),
    'a ******** b ******** c tenant-visible',
  );
});

test('sls_mcs_extra mistakes are one-line errors naming the key', () => {
  assert.throws(() => mcsExtraOf({ sls_mcs_extra: 'tenant' }), /sls_mcs_extra is a string; give a mapping/);
  assert.throws(
    () => mcsExtraOf({ sls_mcs_extra: { api_key: 'x' } }),
    /sls_mcs_extra\.api_key: api_key is set by sls-play itself/,
  );
  assert.throws(
    () => mcsExtraOf({ sls_mcs_extra: { nested: { a: 1 } } }),
    /sls_mcs_extra\.nested is a mapping; give text, a number or true\/false/,
  );
  assert.deepEqual(mcsExtraOf({}), { values: {}, secretKeys: [] });
});
