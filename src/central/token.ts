import { registerSecret } from '../report/secrets.ts';
import { callWithRetry, errorDetail, type CallDeps } from './call.ts';
import { CentralApiError } from './errors.ts';
import type { CentralSettings, TokenResponse } from './types.ts';

/** Renew this long before the token expires. */
export const RENEW_BEFORE_MS = 120_000;

/** One bearer token for the whole run, renewed shortly before it expires and when a call says 401. */
export class TokenSource {
  private token?: { value: string; expiresAt: number };
  /** how many tokens were fetched (for -v and the tests) */
  issued = 0;

  constructor(
    private readonly settings: CentralSettings,
    private readonly deps: CallDeps,
  ) {}

  async get(): Promise<string> {
    if (this.token && this.deps.now() < this.token.expiresAt - RENEW_BEFORE_MS) return this.token.value;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      scope: 'token',
    }).toString();
    const url = `${this.settings.idUrl}/api/v2/oauth2/token`;
    const res = await callWithRetry(
      this.deps,
      { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body },
      'token',
    );
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new CentralApiError(
        `Sophos Central refused the API credential (${errorDetail(res)}) at ${this.settings.idUrl}: check SOPHOS_CLIENT_ID and SOPHOS_CLIENT_SECRET (Global settings → API Credentials Management)`,
        'auth',
        res.status,
      );
    }
    if (res.status >= 300)
      throw new CentralApiError(
        `token request to ${this.settings.idUrl} failed (${errorDetail(res)})`,
        'server',
        res.status,
      );
    let parsed: TokenResponse;
    try {
      parsed = JSON.parse(res.body) as TokenResponse;
    } catch {
      throw new CentralApiError(`token answer from ${this.settings.idUrl} is not JSON`, 'protocol');
    }
    if (typeof parsed.access_token !== 'string' || !parsed.access_token) {
      throw new CentralApiError(`token answer from ${this.settings.idUrl} has no access_token`, 'protocol');
    }
    registerSecret(parsed.access_token);
    const lifetimeS = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 3600;
    this.token = { value: parsed.access_token, expiresAt: this.deps.now() + lifetimeS * 1000 };
    this.issued += 1;
    return parsed.access_token;
  }

  /** After a 401: the next `get` fetches a new token. */
  invalidate(): void {
    this.token = undefined;
  }
}
