import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CentralApiError } from '../../../src/central/errors.ts';
import { QUERY_MARGIN_MS, type WatchedHost } from '../../../src/central/match.ts';
import { waitForAlerts } from '../../../src/central/poller.ts';
import type { Detection } from '../../../src/central/types.ts';

const T0 = Date.parse('2026-12-02T06:00:00Z');

/** A fake clock the poller's sleeps advance; Central "learns" of alerts at given times. */
function world(arrivals: Record<string, number>) {
  let now = T0;
  const queries: Array<{ from: Date; to: Date }> = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    queries,
    query: async (from: Date, to: Date): Promise<Detection[]> => {
      queries.push({ from, to });
      return Object.entries(arrivals)
        .filter(([, t]) => t <= now)
        .map(([host, t]) => ({
          id: host,
          time: new Date(t).toISOString(),
          device: { entity: host },
          detectionRule: 'x',
          rawData: { s: 'Alert Tester' },
        }));
    },
  };
}

const fleet = (n: number): WatchedHost[] =>
  Array.from({ length: n }, (_, i) => ({ name: `h-${i}`, addresses: [], since: T0 }));

test('one query per poll for the whole fleet, whatever its size; ends when every host is seen', async () => {
  for (const size of [3, 10, 200]) {
    const hosts = fleet(size);
    // a third of the hosts arrive in each of the first three minutes: polls at 0, 1, 2 and 3 min
    const w = world(Object.fromEntries(hosts.map((h, i) => [h.name, T0 + (i % 3) * 60_000 + 1000])));
    const result = await waitForAlerts({
      hosts,
      query: w.query,
      deadline: T0 + 25 * 60_000,
      intervalMs: 60_000,
      now: w.now,
      sleep: w.sleep,
    });
    assert.equal(result.polls, 4, `fleet of ${size}`);
    assert.equal(w.queries.length, result.polls);
    assert.ok([...result.states.values()].every((s) => s.state === 'seen'));
    assert.ok(
      w.queries.every((q) => q.from.getTime() === T0 - QUERY_MARGIN_MS),
      'every query covers every host since the earliest trigger',
    );
  }
});

/** A wait for `hosts` hosts of `w`, polling once a minute until `deadline`, on `w`'s clock. */
const minuteByMinute = (w: ReturnType<typeof world>, hosts: number, deadline: number) => ({
  hosts: fleet(hosts),
  deadline,
  intervalMs: 60_000,
  now: w.now,
  sleep: w.sleep,
});

test('a host whose alert never arrives is still waiting at the deadline; the last poll is at the deadline', async () => {
  const w = world({ 'h-0': T0 + 1000 });
  const polls: number[] = [];
  const result = await waitForAlerts({
    ...minuteByMinute(w, 2, T0 + 150_000),
    query: w.query,
    onPoll: (p) => polls.push(p.poll),
  });
  assert.equal(result.states.get('h-0')?.state, 'seen');
  assert.equal(result.states.get('h-1')?.state, 'waiting');
  assert.deepEqual(polls, [1, 2, 3, 4]);
  assert.equal(w.now(), T0 + 150_000);
  assert.equal(result.interrupted, false);
});

test('a failed poll is tried again at the next; a fatal error ends the wait', async () => {
  const w = world({ 'h-0': T0 });
  let calls = 0;
  const flaky = async (from: Date, to: Date) => {
    calls += 1;
    if (calls === 1) throw new CentralApiError('the detections query run r1 ended "failed"', 'run-failed');
    return w.query(from, to);
  };
  const errors: Array<string | undefined> = [];
  const ok = await waitForAlerts({
    ...minuteByMinute(w, 1, T0 + 600_000),
    query: flaky,
    onPoll: (p) => errors.push(p.error),
  });
  assert.equal(ok.states.get('h-0')?.state, 'seen');
  assert.deepEqual(errors, ['the detections query run r1 ended "failed"', undefined]);

  const denied = async () => {
    throw new CentralApiError('Sophos Central refused the detections query (403 Access is denied)', 'forbidden', 403);
  };
  const fatal = await waitForAlerts({
    hosts: fleet(1),
    query: denied,
    deadline: T0 + 600_000,
    intervalMs: 60_000,
    now: w.now,
    sleep: w.sleep,
  });
  assert.equal(fatal.polls, 1);
  assert.match(fatal.fatal ?? '', /403/);
});

test('an aborted wait stops and says so, keeping what was seen', async () => {
  const w = world({ 'h-0': T0 });
  const controller = new AbortController();
  const result = await waitForAlerts({
    hosts: fleet(2),
    query: w.query,
    deadline: T0 + 600_000,
    intervalMs: 60_000,
    now: w.now,
    sleep: async (ms) => {
      await w.sleep(ms);
      controller.abort();
    },
    signal: controller.signal,
  });
  assert.equal(result.interrupted, true);
  assert.equal(result.polls, 1);
  assert.equal(result.states.get('h-0')?.state, 'seen');
});
