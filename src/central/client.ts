import { callWithRetry, errorDetail, type CallDeps } from './call.ts';
import { CentralApiError, CentralInputError, LICENCE_HINT } from './errors.ts';
import { httpsTransport, type HttpResponse, type Transport } from './http.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
import { TokenSource } from './token.ts';
import type { CentralSettings, Detection, QueryRun, ResultsPage, Tenant, WhoAmI } from './types.ts';

export interface ClientOptions {
  transport?: Transport;
  policy?: RetryPolicy;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
  /** how often a pending query run is asked again (default 1 s) */
  runPollMs?: number;
  /** a run still pending after this long fails this poll (default 120 s) */
  runTimeoutMs?: number;
  /** results page size (default 1000; Central is said to allow 2000) */
  pageSize?: number;
  /** -v detail (retries, runs, pages) */
  log?: (line: string) => void;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function parse<T>(res: HttpResponse, what: string): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new CentralApiError(`${what}: the answer is not JSON (HTTP ${res.status})`, 'protocol', res.status);
  }
}

/** Sophos Central's public API as sls-play uses it: token, whoami, counts, detection query runs. */
export class CentralClient {
  readonly tokens: TokenSource;
  private readonly deps: CallDeps;
  private readonly options: Required<Pick<ClientOptions, 'runPollMs' | 'runTimeoutMs' | 'pageSize'>>;
  private tenant?: Tenant;
  /** detection query runs started (one per poll) */
  queries = 0;

  constructor(
    private readonly settings: CentralSettings,
    options: ClientOptions = {},
  ) {
    const log = options.log;
    this.deps = {
      transport: options.transport ?? httpsTransport(),
      policy: options.policy ?? DEFAULT_RETRY,
      sleep: options.sleep ?? abortableSleep,
      now: options.now ?? Date.now,
      signal: options.signal,
      onRetry: log ? (what, ms) => log(`central: ${what}; trying again in ${(ms / 1000).toFixed(1)} s`) : undefined,
    };
    this.options = {
      runPollMs: options.runPollMs ?? 1000,
      runTimeoutMs: options.runTimeoutMs ?? 120_000,
      pageSize: options.pageSize ?? 1000,
    };
    this.tokens = new TokenSource(settings, this.deps);
    this.log = log ?? (() => undefined);
  }

  private readonly log: (line: string) => void;

  /** A call with the bearer token; a 401 renews the token once, then fails with the reason. */
  private async authed(
    method: 'GET' | 'POST',
    url: string,
    what: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ): Promise<HttpResponse> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.tokens.get();
      const req = {
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...headers,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      };
      const res = await callWithRetry(this.deps, req, what);
      if (res.status === 401 && !renewed) {
        this.log(`central: ${what}: 401, renewing the token once`);
        this.tokens.invalidate();
        continue;
      }
      if (res.status === 401) {
        throw new CentralApiError(
          `Sophos Central answered 401 to ${what} even with a new token (${errorDetail(res)}): check the API credential and the tenant`,
          'auth',
          401,
        );
      }
      if (res.status === 403)
        throw new CentralApiError(
          `Sophos Central refused ${what} (${errorDetail(res)}): ${LICENCE_HINT}`,
          'forbidden',
          403,
        );
      if (res.status >= 500 || res.status === 429)
        throw new CentralApiError(`${what} failed after retries (${errorDetail(res)})`, 'server', res.status);
      if (res.status >= 300) throw new CentralApiError(`${what} failed (${errorDetail(res)})`, 'protocol', res.status);
      return res;
    }
  }

  /** whoami, then the tenant to query: a tenant credential's own, or `--tenant` under a partner/organization one. */
  async connect(): Promise<Tenant> {
    if (this.tenant) return this.tenant;
    const res = await this.authed('GET', `${this.settings.apiUrl}/whoami/v1`, 'whoami');
    const me = parse<WhoAmI>(res, 'whoami');
    if (me.idType === 'tenant') {
      const dataRegion = me.apiHosts?.dataRegion;
      if (!dataRegion) throw new CentralApiError('whoami names no data region (apiHosts.dataRegion)', 'protocol');
      if (this.settings.tenantId && this.settings.tenantId !== me.id) {
        throw new CentralInputError(
          `--tenant ${this.settings.tenantId}: this API credential belongs to tenant ${me.id}; drop --tenant or use that tenant's credential`,
        );
      }
      this.tenant = { id: me.id, dataRegion: checkedRegion(dataRegion) };
      return this.tenant;
    }
    if (me.idType !== 'partner' && me.idType !== 'organization') {
      throw new CentralApiError(
        `whoami says the credential is a "${String(me.idType)}": sls-play knows tenant, partner and organization`,
        'protocol',
      );
    }
    if (!this.settings.tenantId) {
      throw new CentralInputError(
        `SOPHOS_CLIENT_ID is a ${me.idType} API credential: detections are read per tenant, so create the API credential in the tenant (Global settings → API Credentials Management) or pass --tenant <tenant id>`,
      );
    }
    const global = me.apiHosts?.global ?? this.settings.apiUrl;
    const idHeader = me.idType === 'partner' ? 'X-Partner-ID' : 'X-Organization-ID';
    const path = me.idType === 'partner' ? 'partner' : 'organization';
    const t = parse<{ id?: string; apiHost?: string; dataRegion?: string }>(
      await this.authed(
        'GET',
        `${global}/${path}/v1/tenants/${encodeURIComponent(this.settings.tenantId)}`,
        `the tenant ${this.settings.tenantId}`,
        { [idHeader]: me.id },
      ),
      'tenant',
    );
    const host = t.apiHost ?? (t.dataRegion?.startsWith('https://') ? t.dataRegion : undefined);
    if (!host)
      throw new CentralApiError(`the ${me.idType} tenant ${this.settings.tenantId} has no apiHost`, 'protocol');
    this.tenant = { id: this.settings.tenantId, dataRegion: checkedRegion(host) };
    return this.tenant;
  }

  private async tenantCall(method: 'GET' | 'POST', path: string, what: string, body?: unknown): Promise<HttpResponse> {
    const tenant = await this.connect();
    return this.authed(method, `${tenant.dataRegion}${path}`, what, { 'X-Tenant-ID': tenant.id }, body);
  }

  /** Detection counts since `from` (the cheap licence and role check before any host is touched). */
  async counts(from: Date, to: Date): Promise<number> {
    const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), resolution: 'hour' });
    const res = await this.tenantCall('GET', `/detections/v1/queries/detections/counts?${q}`, 'the detection counts');
    const body = parse<{ resolutionDetectionCounts?: Array<{ totalCount?: number }> }>(res, 'detection counts');
    return (body.resolutionDetectionCounts ?? []).reduce((n, c) => n + (c.totalCount ?? 0), 0);
  }

  /** One detections query run over [from, to]: start it, wait until finished, read every page. */
  async detections(from: Date, to: Date): Promise<Detection[]> {
    const base = '/detections/v1/queries/detections';
    this.queries += 1;
    const body = { from: from.toISOString(), to: to.toISOString(), sort: [{ field: 'time', direction: 'desc' }] };
    let run = parse<QueryRun>(await this.tenantCall('POST', base, 'the detections query', body), 'detections query');
    if (!run.id) throw new CentralApiError('the detections query answer has no run id', 'protocol');
    const started = this.deps.now();
    while (run.status !== 'finished') {
      if (this.deps.now() - started >= this.options.runTimeoutMs) {
        throw new CentralApiError(
          `the detections query run ${run.id} was still pending after ${Math.round(this.options.runTimeoutMs / 1000)} s`,
          'run-pending',
        );
      }
      await this.deps.sleep(this.options.runPollMs, this.deps.signal);
      if (this.deps.signal?.aborted) throw new CentralApiError('interrupted', 'network');
      run = parse<QueryRun>(
        await this.tenantCall('GET', `${base}/${encodeURIComponent(run.id)}`, 'the detections query run'),
        'query run',
      );
    }
    if (run.result !== 'succeeded') {
      throw new CentralApiError(`the detections query run ${run.id} ended "${String(run.result)}"`, 'run-failed');
    }
    const items: Detection[] = [];
    for (let page = 1; ; page += 1) {
      const q = new URLSearchParams({ page: String(page), pageSize: String(this.options.pageSize) });
      const res = parse<ResultsPage>(
        await this.tenantCall('GET', `${base}/${encodeURIComponent(run.id)}/results?${q}`, 'the detections results'),
        'results',
      );
      items.push(...(res.items ?? []));
      const total = res.pages?.total ?? 1;
      if (page >= total || !res.items?.length) break;
    }
    this.log(`central: query run ${run.id}: ${items.length} detection(s)`);
    return items;
  }
}

function checkedRegion(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CentralApiError(`whoami names a data region that is not a URL: ${url}`, 'protocol');
  }
  if (parsed.protocol !== 'https:')
    throw new CentralApiError(`whoami names a data region that is not https: ${url}`, 'protocol');
  return parsed.href.replace(/\/+$/, '');
}
