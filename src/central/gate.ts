/**
 * The Sophos Central gate of one rolling batch: the batch's hosts whose test alert ran are looked
 * for in Central (one detections query per poll for the whole batch, the run's one client and
 * token) until all are seen or `--wait` runs out; each gets a "Sophos Central" step.
 */
import type { BatchGate, BatchGateCheck, GateRequest, HostReport } from '../runner/types.ts';
import { abortableSleep, type CentralClient } from './client.ts';
import { CENTRAL_STEP, centralStep, hostsToWatch } from './outcome.ts';
import { waitForAlerts, type WaitResult } from './poller.ts';

export interface GateSettings {
  client: Pick<CentralClient, 'detections'>;
  waitMin: number;
  pollS: number;
  /** A host's other names in Central (its address). */
  addressesOf: (host: string) => string[];
}

/** The gate's outcome and its words. */
function summary(names: string[], result: WaitResult, waitMin: number) {
  const seen = names.filter((n) => result.states.get(n)?.state === 'seen');
  const notSeen = names.filter((n) => !seen.includes(n));
  const counted = `${seen.length} of ${names.length} seen in Sophos Central`;
  if (result.interrupted)
    return { seen, notSeen, outcome: 'interrupted' as const, message: `${counted} before the interrupt` };
  if (notSeen.length === 0)
    return { seen, notSeen, outcome: 'passed' as const, message: `${counted} after ${result.polls} poll(s)` };
  const why = result.fatal ? `: ${result.fatal}` : '';
  return {
    seen,
    notSeen,
    outcome: 'failed' as const,
    message: `${counted} within ${waitMin} min; not seen: ${notSeen.join(', ')}${why}`,
  };
}

function nothingToWaitFor(request: GateRequest, began: number): BatchGate {
  const at = new Date(began).toISOString();
  return {
    batch: request.batch,
    hosts: [],
    seen: [],
    notSeen: [],
    outcome: 'nothing to wait for',
    startedAt: at,
    finishedAt: at,
    seconds: 0,
    polls: 0,
    message: 'no host of this batch raised a test alert (nothing changed on them), so there was nothing to look for',
  };
}

/** The check the runner calls after each batch. */
export function centralGate(settings: GateSettings): BatchGateCheck {
  return async (request) => {
    const began = Date.now();
    const hosts: Record<string, HostReport> = Object.fromEntries(request.reports);
    const watched = hostsToWatch({ hosts }, request.since, settings.addressesOf);
    if (watched.length === 0) return { gate: nothingToWaitFor(request, began), steps: new Map() };
    const names = watched.map((h) => h.name);
    const deadline = began + settings.waitMin * 60_000;
    request.started(names, deadline, CENTRAL_STEP);
    const result = await waitForAlerts({
      hosts: watched,
      query: (from, to) => settings.client.detections(from, to),
      deadline,
      intervalMs: settings.pollS * 1000,
      sleep: abortableSleep,
      ...(request.signal ? { signal: request.signal } : {}),
      onPoll: (p) =>
        request.progress({
          batch: request.batch,
          seen: names.filter((n) => p.states.get(n)?.state === 'seen'),
          waiting: names.filter((n) => p.states.get(n)?.state !== 'seen'),
          deadline,
          poll: p.poll,
          ...(p.error ? { error: p.error } : {}),
        }),
    });
    const ended = Date.now();
    const gate: BatchGate = {
      batch: request.batch,
      hosts: names,
      ...summary(names, result, settings.waitMin),
      startedAt: new Date(began).toISOString(),
      finishedAt: new Date(ended).toISOString(),
      seconds: (ended - began) / 1000,
      polls: result.polls,
    };
    return { gate, steps: new Map(names.map((n) => [n, centralStep(n, result, settings.waitMin)])) };
  };
}
