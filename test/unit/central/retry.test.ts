import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY, retryAfterMs, retryDelay } from '../../../src/central/retry.ts';

const policy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 3000, maxRetryAfterMs: 60_000 };
const NOW = Date.parse('2026-12-02T06:00:00Z');

test('Retry-After: seconds or an HTTP date; absent or unreadable is undefined', () => {
  assert.equal(retryAfterMs('7', NOW), 7000);
  assert.equal(retryAfterMs('0', NOW), 0);
  assert.equal(retryAfterMs('Wed, 02 Dec 2026 06:00:30 GMT', NOW), 30_000);
  assert.equal(retryAfterMs('Wed, 02 Dec 2026 05:00:00 GMT', NOW), 0);
  assert.equal(retryAfterMs(undefined, NOW), undefined);
  assert.equal(retryAfterMs('soon', NOW), undefined);
});

test('429 honours Retry-After; without it the backoff doubles up to the cap', () => {
  assert.equal(retryDelay(429, '5', 1, policy, NOW), 5000);
  assert.deepEqual(
    [1, 2, 3].map((a) => retryDelay(429, undefined, a, policy, NOW)),
    [1000, 2000, 3000],
  );
});

test('a Retry-After beyond the bound is not waited for', () => {
  assert.equal(retryDelay(429, '3600', 1, policy, NOW), undefined);
});

test('5xx and dropped connections are retried; 400, 401, 403, 404 are not', () => {
  for (const s of [500, 502, 503, 504, 'network'] as const)
    assert.equal(retryDelay(s, undefined, 1, policy, NOW), 1000, String(s));
  for (const s of [400, 401, 403, 404, 501])
    assert.equal(retryDelay(s, undefined, 1, policy, NOW), undefined, String(s));
});

test('attempts are bounded', () => {
  assert.equal(retryDelay(503, undefined, 4, policy, NOW), undefined);
  assert.equal(retryDelay(503, undefined, DEFAULT_RETRY.attempts, DEFAULT_RETRY, NOW), undefined);
});
