/** When to try a Central call again: 429 and 5xx (and a dropped connection), bounded doubling backoff. */
export interface RetryPolicy {
  /** attempts in all, the first included */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** a Retry-After longer than this is not waited for: the call fails (and the next poll tries again) */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 300_000,
};

const RETRIED = new Set([429, 500, 502, 503, 504]);

export function isRetriedStatus(status: number): boolean {
  return RETRIED.has(status);
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1), or undefined: do not retry. */
export function retryDelay(
  status: number | 'network',
  retryAfter: string | undefined,
  attempt: number,
  policy: RetryPolicy,
  now: number,
): number | undefined {
  if (attempt >= policy.attempts) return undefined;
  if (status !== 'network' && !isRetriedStatus(status)) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  if (status !== 429) return backoff;
  const asked = retryAfterMs(retryAfter, now);
  if (asked === undefined) return backoff;
  return asked > policy.maxRetryAfterMs ? undefined : asked;
}
