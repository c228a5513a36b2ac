import { CentralApiError } from './errors.ts';
import type { HttpRequest, HttpResponse, Transport } from './http.ts';
import { retryDelay, type RetryPolicy } from './retry.ts';

export interface CallDeps {
  transport: Transport;
  policy: RetryPolicy;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
  /** told of each retry, for -v */
  onRetry?: (what: string, delayMs: number) => void;
}

/** `message` and `correlationId` (or errorCode/trackingId) of an error body, for the user. */
export function errorDetail(res: HttpResponse): string {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const parts = [String(res.status)];
  const message = body.message ?? body.error_description ?? body.error;
  if (typeof message === 'string' && message) parts.push(message);
  if (typeof body.errorCode === 'string') parts.push(body.errorCode);
  const ref = body.correlationId ?? body.requestId ?? body.trackingId;
  const detail = parts.join(' ');
  return typeof ref === 'string' ? `${detail}, correlationId ${ref}` : detail;
}

/**
 * One API call with the retry policy: 429 (honouring Retry-After) and 5xx and network failures are
 * tried again with bounded doubling backoff; anything else that is not 2xx is returned for the caller
 * to classify (401, 403, 404…), and so is the last retried answer.
 */
export async function callWithRetry(deps: CallDeps, req: HttpRequest, what: string): Promise<HttpResponse> {
  for (let attempt = 1; ; attempt += 1) {
    let res: HttpResponse | undefined;
    let failure: CentralApiError | undefined;
    try {
      res = await deps.transport(req, deps.signal);
    } catch (error) {
      failure =
        error instanceof CentralApiError
          ? error
          : new CentralApiError(`${what}: ${(error as Error).message}`, 'network');
      if (deps.signal?.aborted) throw failure;
    }
    if (res && res.status < 400) return res;
    const delay = retryDelay(
      res ? res.status : 'network',
      res?.headers['retry-after'],
      attempt,
      deps.policy,
      deps.now(),
    );
    if (delay === undefined) {
      if (res) return res;
      throw new CentralApiError(`${what}: ${failure!.message}`, 'network');
    }
    deps.onRetry?.(`${what}: ${res ? errorDetail(res) : failure!.message}`, delay);
    await deps.sleep(delay, deps.signal);
    if (deps.signal?.aborted) throw new CentralApiError('interrupted', 'network');
  }
}
