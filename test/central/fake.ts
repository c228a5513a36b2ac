// A small local HTTPS fake of the Sophos Central public API, as much as sls-play uses: token,
// whoami (its data region is itself), partner/organization tenants, detection counts, detection
// query runs (pending → finished, paged results), and scripted faults. 127.0.0.1 only.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Detection } from '../../src/central/types.ts';
import { makeTestCa, type TestCa } from './ca.ts';

export interface FakeCentralOptions {
  clientId: string;
  clientSecret: string;
  idType?: 'tenant' | 'partner' | 'organization';
  /** the tenant the credential belongs to (or, for partner credentials, the only tenant it may read) */
  tenantId?: string;
  /** what Central holds now; called on every query run (filtered by the run's from/to) */
  detections?: () => Detection[];
  /** run status GETs answered `pending` before `finished` (default 1) */
  pendingPolls?: number;
  /** largest page served whatever pageSize is asked (default 1000) */
  maxPageSize?: number;
  /** token lifetime in seconds (default 3600) */
  tokenLifetimeS?: number;
}

/** One scripted answer to the next `times` requests that match. */
export interface Fault {
  method?: 'GET' | 'POST';
  /** a path prefix, or a pattern over the path (without query) */
  path: string | RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  times?: number;
}

export interface Logged {
  method: string;
  path: string;
  status: number;
  at: number;
}

interface Run {
  id: string;
  from: number;
  to: number;
  statusGets: number;
  items?: Detection[];
  fails: boolean;
  pendingForever: boolean;
}

export class FakeCentral {
  readonly ca: TestCa;
  private server!: Server;
  url = '';
  readonly log: Logged[] = [];
  private readonly faults: Array<Fault & { left: number }> = [];
  private readonly tokens = new Map<string, number>();
  private readonly runs = new Map<string, Run>();
  private failRuns = 0;
  private pendingRuns = 0;
  /** every request body and header the fake saw, for the tests that look for leaked credentials */
  readonly seenAuth: string[] = [];

  constructor(readonly options: FakeCentralOptions) {
    this.ca = makeTestCa();
  }

  async start(): Promise<this> {
    this.server = createServer({ key: this.ca.key, cert: this.ca.cert }, (req, res) => {
      this.handle(req, res).catch((e) => this.send(res, req, 500, { error: 'fake', message: String(e) }));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.ca.remove();
  }

  /** The environment a CLI run needs to use this fake. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NODE_EXTRA_CA_CERTS: this.ca.caFile,
      SOPHOS_CENTRAL_ID_URL: this.url,
      SOPHOS_CENTRAL_API_URL: this.url,
      SOPHOS_CLIENT_ID: this.options.clientId,
      SOPHOS_CLIENT_SECRET: this.options.clientSecret,
      ...extra,
    };
  }

  fault(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }
  /** the next n query runs finish with result "failed" */
  failNextRuns(n = 1): void {
    this.failRuns += n;
  }
  /** the next n query runs never leave "pending" */
  pendingNextRuns(n = 1): void {
    this.pendingRuns += n;
  }
  /** every token issued so far is refused from now on (as after expiry) */
  expireTokens(): void {
    this.tokens.clear();
  }

  count(method: string, path: string | RegExp): number {
    return this.log.filter(
      (l) => l.method === method && (typeof path === 'string' ? l.path === path : path.test(l.path)),
    ).length;
  }
  get tokensIssued(): number {
    return this.count('POST', '/api/v2/oauth2/token');
  }
  get queryRuns(): number {
    return this.count('POST', '/detections/v1/queries/detections');
  }

  private send(
    res: ServerResponse,
    req: IncomingMessage,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const path = (req.url ?? '').split('?')[0]!;
    this.log.push({ method: req.method ?? '', path, status, at: Date.now() });
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    this.seenAuth.push(`${req.headers.authorization ?? ''} ${raw}`);
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    const method = req.method ?? 'GET';

    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method === method) &&
        (typeof f.path === 'string' ? path.startsWith(f.path) : f.path.test(path)),
    );
    if (fault) {
      fault.left -= 1;
      return this.send(
        res,
        req,
        fault.status,
        fault.body ?? { error: 'scripted', message: `scripted ${fault.status}`, correlationId: 'corr-fake-1' },
        fault.headers,
      );
    }

    if (method === 'POST' && path === '/api/v2/oauth2/token') {
      const form = new URLSearchParams(raw);
      if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'token') {
        return this.send(res, req, 400, { errorCode: 'oauth.invalid_request', message: 'Bad Request' });
      }
      if (form.get('client_id') !== this.options.clientId || form.get('client_secret') !== this.options.clientSecret) {
        return this.send(res, req, 401, {
          errorCode: 'oauth.invalid_client_secret',
          message: 'Unauthorized',
          trackingId: 'trk-fake',
        });
      }
      const token = `fake-token-${randomUUID()}`;
      const lifetime = this.options.tokenLifetimeS ?? 3600;
      this.tokens.set(token, Date.now() + lifetime * 1000);
      return this.send(res, req, 200, {
        access_token: token,
        token_type: 'bearer',
        expires_in: lifetime,
        errorCode: 'success',
        message: 'OK',
        trackingId: 'trk-fake',
      });
    }

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expires = bearer ? this.tokens.get(bearer) : undefined;
    if (!expires || expires < Date.now())
      return this.send(res, req, 401, {
        error: 'unauthorized',
        message: 'Invalid or expired token',
        correlationId: 'corr-401',
      });

    const idType = this.options.idType ?? 'tenant';
    const selfId = idType === 'tenant' ? (this.options.tenantId ?? 'tenant-0000-fake') : `${idType}-1111-fake`;
    if (method === 'GET' && path === '/whoami/v1') {
      return this.send(res, req, 200, {
        id: selfId,
        idType,
        apiHosts: { global: this.url, ...(idType === 'tenant' ? { dataRegion: this.url } : {}) },
      });
    }
    const tenantPath = /^\/(partner|organization)\/v1\/tenants\/([^/]+)$/.exec(path);
    if (method === 'GET' && tenantPath) {
      const header = tenantPath[1] === 'partner' ? 'x-partner-id' : 'x-organization-id';
      if (tenantPath[1] !== idType || req.headers[header] !== selfId)
        return this.send(res, req, 403, { error: 'forbidden', message: 'Access is denied' });
      if (tenantPath[2] !== this.options.tenantId)
        return this.send(res, req, 404, { error: 'notFound', message: 'tenant not found' });
      return this.send(res, req, 200, {
        id: tenantPath[2],
        name: 'fake tenant',
        dataGeography: 'EU',
        dataRegion: 'eu02',
        apiHost: this.url,
      });
    }

    if (path.startsWith('/detections/')) {
      const tenant = idType === 'tenant' ? selfId : this.options.tenantId;
      if (req.headers['x-tenant-id'] !== tenant)
        return this.send(res, req, 401, {
          error: 'unauthorized',
          message: 'Missing or wrong X-Tenant-ID',
          correlationId: 'corr-tenant',
        });
      return this.detections(req, res, method, path, url, raw);
    }
    return this.send(res, req, 404, { error: 'notFound', message: `no route ${method} ${path}` });
  }

  private held(from: number, to: number): Detection[] {
    return (this.options.detections?.() ?? []).filter((d) => {
      const t = Date.parse(String(d.time));
      return t >= from && t <= to;
    });
  }

  private detections(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
    url: URL,
    raw: string,
  ): void {
    const base = '/detections/v1/queries/detections';
    if (method === 'GET' && path === `${base}/counts`) {
      const from = Date.parse(url.searchParams.get('from') ?? '') || Date.now() - 86_400_000;
      const to = Date.parse(url.searchParams.get('to') ?? '') || Date.now();
      this.send(res, req, 200, {
        resolutionDetectionCounts: [{ startsAt: new Date(from).toISOString(), totalCount: this.held(from, to).length }],
      });
      return;
    }
    if (method === 'POST' && path === base) {
      const body = raw ? (JSON.parse(raw) as { from?: string; to?: string }) : {};
      const to = body.to ? Date.parse(body.to) : Date.now();
      const from = body.from ? Date.parse(body.from) : to - 86_400_000;
      const run: Run = {
        id: randomUUID(),
        from,
        to,
        statusGets: 0,
        fails: this.failRuns > 0,
        pendingForever: this.pendingRuns > 0,
      };
      if (run.fails) this.failRuns -= 1;
      else if (run.pendingForever) this.pendingRuns -= 1;
      this.runs.set(run.id, run);
      this.send(res, req, 201, this.runView(run));
      return;
    }
    const m = /^\/detections\/v1\/queries\/detections\/([^/]+)(\/results)?$/.exec(path);
    const run = m ? this.runs.get(m[1]!) : undefined;
    if (!m || !run || method !== 'GET') {
      this.send(res, req, 404, { error: 'notFound', message: `no route ${method} ${path}` });
      return;
    }
    if (!m[2]) {
      run.statusGets += 1;
      this.send(res, req, 200, this.runView(run));
      return;
    }
    if (!this.finished(run) || run.fails) {
      this.send(res, req, 400, { error: 'badRequest', message: 'results are not available' });
      return;
    }
    const items = run.items!;
    const size = Math.min(Number(url.searchParams.get('pageSize') ?? 50), this.options.maxPageSize ?? 1000);
    const page = Number(url.searchParams.get('page') ?? 1);
    const total = Math.max(1, Math.ceil(items.length / size));
    this.send(res, req, 200, {
      items: items.slice((page - 1) * size, page * size),
      pages: { current: page, size, total, items: items.length, maxSize: 2000 },
    });
  }

  private finished(run: Run): boolean {
    return !run.pendingForever && run.statusGets >= (this.options.pendingPolls ?? 1);
  }

  private runView(run: Run) {
    const done = this.finished(run);
    if (done && !run.items && !run.fails)
      run.items = this.held(run.from, run.to).sort((a, b) => String(b.time).localeCompare(String(a.time)));
    return {
      id: run.id,
      createdAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      status: done ? 'finished' : 'pending',
      result: done ? (run.fails ? 'failed' : 'succeeded') : 'notAvailable',
      ...(done && run.items ? { resultCount: run.items.length } : {}),
    };
  }
}

/** A detection record shaped as Central's (confirmed fields) with the test alert's name where SLS may put it. */
export function testAlertDetection(host: string, at: string): Detection {
  return {
    id: randomUUID(),
    time: at,
    sensorGeneratedAt: at,
    severity: 1,
    type: 'Threat',
    detectionRule: 'SLS runtime detection',
    sensor: { id: randomUUID(), type: 'linuxSensor', source: 'SLS', version: '5.10.0.3' },
    device: { entity: host, type: 'server' },
    mitreAttacks: [],
    rawData: { strategy_name: 'Alert Tester', policy_type: 'test' },
  };
}

/** Something else Central holds: another rule on the same device. */
export function otherDetection(host: string, at: string): Detection {
  return {
    ...testAlertDetection(host, at),
    detectionRule: 'WIN-EXE-PRC-SUSPICIOUS',
    rawData: { strategy_name: 'Suspicious Process' },
  };
}
