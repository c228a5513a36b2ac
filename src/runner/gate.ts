/**
 * A batch's gate (`--serial` with `--central`): once the batch's hosts are done, the check waits
 * for their evidence (test alerts seen in Sophos Central) and gives each host waited for one more
 * step. The hosts' reports are held back until then, so a display shows each host's final state
 * only once its batch is through, and the next batch starts only after the gate.
 */
import { hostStatus } from './status.ts';
import type { BatchGate, BatchGateCheck, HostReport, RunListener, StepReport } from './types.ts';

/** A host's report with one more step, its status and facts following. */
export function withStep(host: HostReport, step: StepReport): HostReport {
  const steps = [...host.steps, step];
  return { ...host, status: hostStatus(steps), steps, facts: { ...(host.facts ?? {}), ...(step.facts ?? {}) } };
}

/** Runs the gate of batch `batch` (1-based) and tells the listeners; the batch's reports come back with its steps. */
export async function gateBatch(
  check: BatchGateCheck,
  batch: number,
  reports: ReadonlyMap<string, HostReport>,
  since: number,
  emit: RunListener,
  signal?: AbortSignal,
): Promise<{ gate: BatchGate; reports: Map<string, HostReport> }> {
  const result = await check({
    batch,
    reports,
    since,
    ...(signal ? { signal } : {}),
    started(hosts, deadline, step) {
      emit({ type: 'gate-start', batch, hosts, deadline });
      for (const host of hosts) emit({ type: 'step-start', host, step });
    },
    progress: (progress) => emit({ type: 'gate-progress', progress }),
  });
  const merged = new Map(reports);
  for (const [host, step] of result.steps) {
    const report = merged.get(host);
    if (!report) continue;
    emit({ type: 'step-end', host, step });
    merged.set(host, withStep(report, step));
  }
  emit({ type: 'gate-end', gate: result.gate });
  return { gate: result.gate, reports: merged };
}

/** Why later batches do not start when a gate's misses stopped the rollout: "1 of 2 hosts of batch 2 not seen in Sophos Central". */
export function gateStopReason(gate: BatchGate, batchSize: number, failedOtherwise: number): string {
  const others = failedOtherwise ? ` (and ${failedOtherwise} failed before the gate)` : '';
  return `not started: ${gate.notSeen.length} of ${batchSize} hosts of batch ${gate.batch} not seen in Sophos Central${others}`;
}
