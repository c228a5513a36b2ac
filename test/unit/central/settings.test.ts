import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CentralInputError } from '../../../src/central/errors.ts';
import { readCentralSettings } from '../../../src/central/settings.ts';
import { redact } from '../../../src/report/secrets.ts';

const creds = { SOPHOS_CLIENT_ID: 'client-id-6d1f0a', SOPHOS_CLIENT_SECRET: 'client-secret-9b3e77c1' };

test('defaults: id.sophos.com and api.central.sophos.com; the credential is registered as secret', () => {
  const s = readCentralSettings({ ...creds });
  assert.equal(s.idUrl, 'https://id.sophos.com');
  assert.equal(s.apiUrl, 'https://api.central.sophos.com');
  assert.equal(
    redact(`id ${creds.SOPHOS_CLIENT_ID} secret ${creds.SOPHOS_CLIENT_SECRET}`),
    'id ******** secret ********',
  );
});

test('endpoints from SOPHOS_CENTRAL_ID_URL / SOPHOS_CENTRAL_API_URL, trailing slash dropped', () => {
  const s = readCentralSettings({
    ...creds,
    SOPHOS_CENTRAL_ID_URL: 'https://127.0.0.1:8443/',
    SOPHOS_CENTRAL_API_URL: 'https://central.internal/',
  });
  assert.equal(s.idUrl, 'https://127.0.0.1:8443');
  assert.equal(s.apiUrl, 'https://central.internal');
});

test('http:// is refused, naming the variable and what to do', () => {
  assert.throws(
    () => readCentralSettings({ ...creds, SOPHOS_CENTRAL_API_URL: 'http://127.0.0.1:8080' }),
    (e: Error) => {
      assert.ok(e instanceof CentralInputError);
      assert.match(
        e.message,
        /^SOPHOS_CENTRAL_API_URL=http:\/\/127\.0\.0\.1:8080: Sophos Central is reached over HTTPS only; use an https:\/\/ URL/,
      );
      return true;
    },
  );
  assert.throws(
    () => readCentralSettings({ ...creds, SOPHOS_CENTRAL_ID_URL: 'not a url' }),
    /SOPHOS_CENTRAL_ID_URL=not a url is not a URL/,
  );
});

test('missing credentials name the variables', () => {
  assert.throws(() => readCentralSettings({}), /set SOPHOS_CLIENT_ID and SOPHOS_CLIENT_SECRET in the environment/);
  assert.throws(
    () => readCentralSettings({ SOPHOS_CLIENT_ID: 'x1234' }),
    /set SOPHOS_CLIENT_SECRET in the environment/,
  );
});

test('--tenant must look like a tenant id', () => {
  assert.equal(
    readCentralSettings(creds, '2b1c9f8e-1111-4a2b-9c3d-5e6f7a8b9c0d').tenantId,
    '2b1c9f8e-1111-4a2b-9c3d-5e6f7a8b9c0d',
  );
  assert.throws(() => readCentralSettings(creds, 'a b'), /--tenant a b: expected a tenant id/);
});
