import type { HostStatus } from '../playbook/types.ts';
import type { HostReport, StepReport, Summary } from './types.ts';

/** A host is as bad as its worst step: unreachable > failed > changed > ok > skipped. */
export function hostStatus(steps: StepReport[]): HostStatus {
  const has = (status: string) => steps.some((step) => step.status === status);
  if (has('unreachable')) return 'unreachable';
  if (has('failed')) return 'failed';
  if (has('changed')) return 'changed';
  if (has('ok')) return 'ok';
  return 'skipped';
}

export function summarise(hosts: Record<string, HostReport>): Summary {
  const summary: Summary = { ok: 0, changed: 0, failed: 0, unreachable: 0, skipped: 0 };
  for (const report of Object.values(hosts)) summary[report.status] += 1;
  return summary;
}

/** Exit status as ansible-playbook: 2 any host failed, 3 unreachable (none failed), 99 interrupted. */
export function exitCodeFor(summary: Summary, interrupted = false): number {
  if (interrupted) return 99;
  if (summary.failed > 0) return 2;
  if (summary.unreachable > 0) return 3;
  return 0;
}
