// The client against the local HTTPS fake of Central (its CA trusted through `extraCa`), with
// every scripted fault. Sleeps are recorded, not waited, so backoff is checked without time passing.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CentralClient, type ClientOptions } from '../../../src/central/client.ts';
import { type CentralApiError, CentralInputError } from '../../../src/central/errors.ts';
import { httpsTransport } from '../../../src/central/http.ts';
import type { Detection } from '../../../src/central/types.ts';
import { FakeCentral, otherDetection, testAlertDetection } from '../../central/fake.ts';

const CLIENT_ID = 'unit-client-id-3c1d';
const CLIENT_SECRET = 'unit-client-secret-8e2f44';
const TENANT = '7a1e2b3c-0000-4d5e-8f90-123456789abc';
const T0 = Date.now() - 60_000;
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

let held: Detection[] = [];
let fake: FakeCentral;
let sleeps: number[] = [];

function client(extra: Partial<ClientOptions> & { tenantId?: string } = {}, f: FakeCentral = fake): CentralClient {
  const { tenantId, ...options } = extra;
  return new CentralClient(
    {
      idUrl: f.url,
      apiUrl: f.url,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      ...(tenantId ? { tenantId } : {}),
    },
    {
      transport: httpsTransport({ extraCa: [f.ca.caPem] }),
      policy: { attempts: 4, baseDelayMs: 500, maxDelayMs: 4000, maxRetryAfterMs: 60_000 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      runPollMs: 10,
      ...options,
    },
  );
}
const window = () => [new Date(T0 - 3_600_000), new Date()] as const;

before(async () => {
  fake = await new FakeCentral({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tenantId: TENANT,
    detections: () => held,
    pendingPolls: 2,
    maxPageSize: 2,
  }).start();
});
after(async () => {
  await fake.stop();
});
beforeEach(() => {
  sleeps = [];
  held = [
    testAlertDetection('web-01', at(1)),
    otherDetection('web-01', at(2)),
    testAlertDetection('web-02', at(3)),
    otherDetection('db-01', at(4)),
    testAlertDetection('db-01', at(5)),
  ];
});

describe('CentralClient', () => {
  test('token, whoami (data region), then one query run: pending → finished, every page read', async () => {
    const c = client();
    const before = fake.log.length;
    const tenant = await c.connect();
    assert.deepEqual(tenant, { id: TENANT, dataRegion: fake.url });
    const items = await c.detections(...window());
    assert.equal(items.length, 5);
    assert.deepEqual(
      items.map((d) => d.time),
      [at(5), at(4), at(3), at(2), at(1)],
    );
    const calls = fake.log
      .slice(before)
      .map((l) => `${l.method} ${l.path.replace(/[0-9a-f-]{36}/, ':run')} ${l.status}`);
    assert.deepEqual(calls, [
      'POST /api/v2/oauth2/token 200',
      'GET /whoami/v1 200',
      'POST /detections/v1/queries/detections 201',
      'GET /detections/v1/queries/detections/:run 200',
      'GET /detections/v1/queries/detections/:run 200',
      'GET /detections/v1/queries/detections/:run/results 200',
      'GET /detections/v1/queries/detections/:run/results 200',
      'GET /detections/v1/queries/detections/:run/results 200',
    ]);
    assert.equal(c.queries, 1);
    assert.equal(c.tokens.issued, 1);
  });

  test('one token for many queries; renewed shortly before it expires', async () => {
    let now = Date.now();
    const c = client({ now: () => now });
    for (let i = 0; i < 3; i += 1) await c.detections(...window());
    assert.equal(c.tokens.issued, 1);
    now += 3600_000 - 60_000; // within the renewal margin
    await c.detections(...window());
    assert.equal(c.tokens.issued, 2);
  });

  test('401 once (an expired token): renewed once and the call succeeds', async () => {
    const c = client();
    await c.connect();
    fake.expireTokens();
    assert.equal((await c.detections(...window())).length, 5);
    assert.equal(c.tokens.issued, 2);
  });

  test('401 again after renewal: fails with the reason', async () => {
    const c = client();
    await c.connect();
    fake.fault({ method: 'POST', path: '/detections/v1/queries/detections', status: 401, times: 2 });
    await assert.rejects(c.detections(...window()), (e: CentralApiError) => {
      assert.equal(e.kind, 'auth');
      assert.match(
        e.message,
        /answered 401 to the detections query even with a new token \(401 scripted 401, correlationId corr-fake-1\)/,
      );
      return true;
    });
  });

  test('429 with Retry-After is honoured; without it the backoff doubles', async () => {
    const c = client();
    await c.connect();
    fake.fault({
      method: 'POST',
      path: '/detections/v1/queries/detections',
      status: 429,
      headers: { 'Retry-After': '7' },
    });
    fake.fault({ method: 'POST', path: '/detections/v1/queries/detections', status: 429, times: 2 });
    assert.equal((await c.detections(...window())).length, 5);
    assert.deepEqual(
      sleeps.filter((ms) => ms !== 10),
      [7000, 1000, 2000],
    );
  });

  test('500 is retried; a 5xx that persists fails this call after the bounded attempts', async () => {
    const c = client();
    await c.connect();
    fake.fault({ path: '/detections/v1/queries/detections', status: 500 });
    assert.equal((await c.detections(...window())).length, 5);
    sleeps = [];
    fake.fault({ path: '/detections/v1/queries/detections', status: 503, times: 4 });
    await assert.rejects(
      c.detections(...window()),
      (e: CentralApiError) => e.kind === 'server' && /failed after retries \(503/.test(e.message) && !e.fatal,
    );
    assert.deepEqual(sleeps, [500, 1000, 2000]);
  });

  test('403: one message naming the licence and the role, no retry', async () => {
    const c = client();
    await c.connect();
    const before = fake.queryRuns;
    fake.fault({
      path: '/detections/v1/queries/detections',
      status: 403,
      body: { error: 'forbidden', message: 'Access is denied', correlationId: 'c-403' },
    });
    await assert.rejects(c.detections(...window()), (e: CentralApiError) => {
      assert.equal(e.kind, 'forbidden');
      assert.ok(e.fatal);
      assert.match(
        e.message,
        /refused the detections query \(403 Access is denied, correlationId c-403\): the tenant needs an XDR or MDR licence .* "Service Principal" role/,
      );
      return true;
    });
    assert.equal(fake.queryRuns, before + 1);
    assert.deepEqual(sleeps, []);
  });

  test('a run that ends failed, and one that stays pending, fail this poll (not fatal)', async () => {
    const c = client({ runTimeoutMs: 300, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    fake.failNextRuns(1);
    await assert.rejects(
      c.detections(...window()),
      (e: CentralApiError) => e.kind === 'run-failed' && /ended "failed"/.test(e.message) && !e.fatal,
    );
    fake.pendingNextRuns(1);
    await assert.rejects(
      c.detections(...window()),
      (e: CentralApiError) => e.kind === 'run-pending' && /still pending after 0 s/.test(e.message),
    );
    assert.equal((await c.detections(...window())).length, 5, 'the next run works');
  });

  test('counts, the check before any host is touched', async () => {
    assert.equal(await client().counts(...window()), 5);
  });

  test('bad credentials: the token request says so, naming the variables', async () => {
    const c = new CentralClient(
      { idUrl: fake.url, apiUrl: fake.url, clientId: CLIENT_ID, clientSecret: 'wrong-secret-1234' },
      { transport: httpsTransport({ extraCa: [fake.ca.caPem] }) },
    );
    await assert.rejects(
      c.connect(),
      /refused the API credential \(401 Unauthorized oauth\.invalid_client_secret, correlationId trk-fake\) at https:\/\/127\.0\.0\.1:\d+: check SOPHOS_CLIENT_ID and SOPHOS_CLIENT_SECRET/,
    );
  });

  test('an untrusted certificate is a network error that points at NODE_EXTRA_CA_CERTS', async () => {
    const c = new CentralClient(
      { idUrl: fake.url, apiUrl: fake.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      { policy: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } },
    );
    await assert.rejects(c.connect(), /cannot reach https:\/\/127\.0\.0\.1:\d+: .*NODE_EXTRA_CA_CERTS/);
  });
});

describe('partner and organization credentials', () => {
  for (const idType of ['partner', 'organization'] as const) {
    test(`${idType}: a clear message without --tenant; with it, that tenant's data region`, async () => {
      const f = await new FakeCentral({
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        idType,
        tenantId: TENANT,
        detections: () => held,
        pendingPolls: 0,
      }).start();
      try {
        await assert.rejects(client({}, f).connect(), (e: Error) => {
          assert.ok(e instanceof CentralInputError);
          assert.match(
            e.message,
            new RegExp(`^SOPHOS_CLIENT_ID is a ${idType} API credential: .* or pass --tenant <tenant id>$`),
          );
          return true;
        });
        const c = client({ tenantId: TENANT }, f);
        assert.deepEqual(await c.connect(), { id: TENANT, dataRegion: f.url });
        assert.equal((await c.detections(...window())).length, 5);
      } finally {
        await f.stop();
      }
    });
  }

  test('a tenant credential with another --tenant is a mistake', async () => {
    await assert.rejects(
      client({ tenantId: '00000000-0000-0000-0000-000000000000' }).connect(),
      /--tenant 00000000-.*: this API credential belongs to tenant 7a1e2b3c-/,
    );
  });
});
