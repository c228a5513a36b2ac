import { CentralApiError } from './errors.ts';
import { QUERY_MARGIN_MS, matchAlerts, type AlertMatch, type WatchedHost } from './match.ts';
import type { Detection } from './types.ts';

export type HostWait = { state: 'waiting' } | { state: 'seen'; match: AlertMatch; seenAt: number };

export interface PollProgress {
  poll: number;
  states: Map<string, HostWait>;
  /** why the last poll could not read Central (tried again at the next) */
  error?: string;
}

export interface WaitOptions {
  hosts: WatchedHost[];
  /** one detections query run for the whole fleet */
  query: (from: Date, to: Date) => Promise<Detection[]>;
  /** epoch ms when waiting ends */
  deadline: number;
  intervalMs: number;
  now?: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  onPoll?: (progress: PollProgress) => void;
}

export interface WaitResult {
  states: Map<string, HostWait>;
  polls: number;
  /** the last poll's error, when it failed */
  lastError?: string;
  /** a fatal error (credentials refused, licence or role missing) ended the wait */
  fatal?: string;
  interrupted: boolean;
}

/**
 * Polls Central until every host's test alert is seen, the deadline passes, a fatal error occurs or
 * the signal aborts: one query per poll, covering every host since the earliest trigger.
 */
export async function waitForAlerts(options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const states = new Map<string, HostWait>(options.hosts.map((h) => [h.name, { state: 'waiting' }]));
  const from = new Date(Math.min(...options.hosts.map((h) => h.since)) - QUERY_MARGIN_MS);
  let polls = 0;
  let lastError: string | undefined;
  const waiting = () => options.hosts.filter((h) => states.get(h.name)!.state === 'waiting');
  while (waiting().length > 0 && !options.signal?.aborted) {
    polls += 1;
    lastError = undefined;
    try {
      const records = await options.query(from, new Date(now()));
      const pending = waiting();
      for (const [name, match] of matchAlerts(records, pending))
        states.set(name, { state: 'seen', match, seenAt: now() });
    } catch (error) {
      if (options.signal?.aborted) break;
      if (!(error instanceof CentralApiError)) throw error;
      if (error.fatal) return { states, polls, fatal: error.message, interrupted: false };
      lastError = error.message;
    }
    options.onPoll?.({ poll: polls, states, ...(lastError ? { error: lastError } : {}) });
    const left = options.deadline - now();
    if (waiting().length === 0 || left <= 0) break;
    await options.sleep(Math.min(options.intervalMs, left), options.signal);
  }
  return { states, polls, ...(lastError ? { lastError } : {}), interrupted: Boolean(options.signal?.aborted) };
}
