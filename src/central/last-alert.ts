import type { StepReport } from '../runner/types.ts';
import { matchAlerts, type WatchedHost } from './match.ts';
import { CENTRAL_STEP, clock } from './outcome.ts';
import type { Detection } from './types.ts';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** `status --central`: each host's newest "Alert Tester" detection of the last day, or none (never a failure). */
export function lastAlertSteps(records: Detection[], hosts: WatchedHost[]): Map<string, StepReport> {
  const matches = matchAlerts(records, hosts, 0);
  return new Map(
    hosts.map((h) => {
      const m = matches.get(h.name);
      const step: StepReport = m
        ? {
            name: CENTRAL_STEP,
            status: 'ok',
            message: `last "Alert Tester" in Sophos Central at ${m.time} (${clock(m.time)})${m.rule ? `, rule: ${m.rule}` : ''}`,
            facts: { centralLastTestAlert: m },
          }
        : {
            name: CENTRAL_STEP,
            status: 'ok',
            message: 'no "Alert Tester" in Sophos Central in the last day',
            facts: { centralLastTestAlert: null },
          };
      return [h.name, step];
    }),
  );
}

/** `status --central` when Central could not be read: every host says why. */
export function unreadableSteps(hosts: string[], reason: string): Map<string, StepReport> {
  return new Map(
    hosts.map((h) => [
      h,
      {
        name: CENTRAL_STEP,
        status: 'failed',
        message: `Sophos Central could not be read: ${reason}`,
        facts: { centralLastTestAlert: null },
      },
    ]),
  );
}
