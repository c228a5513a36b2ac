import type { HostStatus } from '../playbook/types.ts';
import type { HostReport } from '../runner/types.ts';

/**
 * What the big-fleet display knows of a run, fed by run events: counts by status, the hosts at
 * work with their current step, and the hosts that failed. Pure data; fleet-render.ts draws it.
 */
export interface FleetState {
  total: number;
  startedAt: number;
  done: Record<HostStatus, number>;
  /** host → its current step (insertion order: longest running first) */
  running: Map<string, string>;
  /** failed or unreachable hosts, with their one-line reason, in the order they finished */
  failed: { host: string; line: string }[];
}

type HostStatusCounts = Record<HostStatus, number>;

export function newFleetState(total: number, startedAt: number): FleetState {
  const done: HostStatusCounts = { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
  return { total, startedAt, done, running: new Map(), failed: [] };
}

export function hostStarted(state: FleetState, host: string): void {
  state.running.set(host, 'connecting');
}

export function stepStarted(state: FleetState, host: string, step: string): void {
  state.running.set(host, step);
}

export function hostFinished(state: FleetState, host: string, report: HostReport, line: string): void {
  state.running.delete(host);
  state.done[report.status] += 1;
  if (report.status === 'failed' || report.status === 'unreachable') state.failed.push({ host, line });
}

export const doneCount = (state: FleetState) => Object.values(state.done).reduce((a, b) => a + b, 0);
