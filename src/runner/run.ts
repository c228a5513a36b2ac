import { randomBytes } from 'node:crypto';
import type { Playbook } from '../playbook/types.ts';
import type { Connection } from '../transport/types.ts';
import { splitBatches, type SerialEntry } from './batches.ts';
import { runHost } from './host-run.ts';
import { forEachLimited } from './pool.ts';
import { summarise } from './status.ts';
import { gateBatch, gateStopReason } from './gate.ts';
import type {
  BatchGate,
  BatchGateCheck,
  HostReport,
  HostRunSettings,
  HostTarget,
  RunEvent,
  RunListener,
  RunReport,
} from './types.ts';

export interface RunOptions {
  playbook: Playbook;
  targets: HostTarget[];
  connect: (target: HostTarget) => Promise<Connection>;
  settings: HostRunSettings;
  forks: number;
  serial?: SerialEntry[];
  /** Stop starting batches once more than this percentage of a batch failed. */
  maxFailPercentage?: number;
  /** Aborted on SIGINT/SIGTERM: no new host or step starts; work under way finishes. */
  signal?: AbortSignal;
  /** With --serial and --central: each batch waits for its evidence before the next starts. */
  gate?: BatchGateCheck;
  listener: RunListener;
}

function batchFailedTooMuch(
  reports: HostReport[],
  maxFailPercentage: number | undefined,
  serial: boolean,
): string | undefined {
  const bad = reports.filter((r) => r.status === 'failed' || r.status === 'unreachable').length;
  if (bad === 0) return undefined;
  const percent = (bad / reports.length) * 100;
  if (maxFailPercentage !== undefined && percent > maxFailPercentage) {
    return `not started: ${bad} of ${reports.length} hosts of the previous batch failed (${Math.round(percent)}% > --max-fail-percentage ${maxFailPercentage})`;
  }
  // As Ansible: when every host of a rolling batch fails, the rollout stops.
  if (serial && bad === reports.length) return `not started: every host of the previous batch failed`;
  return undefined;
}

/** Why the next batches do not start (undefined: they do); a gate's misses are named as such. */
function nextBatchStop(
  options: RunOptions,
  reports: HostReport[],
  batchSize: number,
  gate: BatchGate | undefined,
): string | undefined {
  const stop = batchFailedTooMuch(reports, options.maxFailPercentage, Boolean(options.serial?.length));
  if (!stop || !gate?.notSeen.length) return stop;
  const failed = reports.filter((r) => r.status === 'failed' || r.status === 'unreachable').length;
  return gateStopReason(gate, batchSize, failed - gate.notSeen.length);
}

/**
 * One batch: its hosts, `--forks` at a time, then its gate when there is one. With a gate, each
 * host's end is told once the batch is through it (its report then carries the gate's step).
 */
async function runOneBatch(
  options: RunOptions,
  batch: HostTarget[],
  number: number,
  settings: HostRunSettings,
  interrupted: () => boolean,
): Promise<{ reports: Map<string, HostReport>; notStarted: HostTarget[]; gate?: BatchGate }> {
  const emit = options.listener;
  const since = Date.now();
  const hostEmit = options.gate ? (event: RunEvent) => event.type !== 'host-end' && emit(event) : emit;
  const reports = new Map<string, HostReport>();
  const notStarted = await forEachLimited(
    batch,
    options.forks,
    async (target) => {
      reports.set(
        target.name,
        await runHost(target, options.playbook, options.connect, settings, hostEmit, interrupted),
      );
    },
    interrupted,
  );
  // in the batch's order, not the order its hosts finished in
  const ordered = new Map(batch.filter((t) => reports.has(t.name)).map((t) => [t.name, reports.get(t.name)!]));
  if (!options.gate) return { reports: ordered, notStarted };
  let gated: { gate?: BatchGate; reports: Map<string, HostReport> } = { reports: ordered };
  if (!interrupted()) gated = await gateBatch(options.gate, number, ordered, since, emit, options.signal);
  for (const [host, report] of gated.reports) emit({ type: 'host-end', host, report });
  return { ...gated, notStarted };
}

export async function runPlaybook(options: RunOptions): Promise<RunReport> {
  const { listener: emit, signal } = options;
  const settings = {
    ...options.settings,
    run: options.settings.run ?? { id: randomBytes(4).toString('hex'), startedAt: new Date().toISOString() },
  };
  emit({ type: 'run-start', hosts: options.targets.map((t) => t.name), check: options.settings.check });
  const reports = new Map<string, HostReport>();
  const interrupted = () => signal?.aborted ?? false;
  const skip = (target: HostTarget, reason: string) => {
    const report: HostReport = { status: 'skipped', steps: [], reason };
    reports.set(target.name, report);
    emit({ type: 'host-end', host: target.name, report });
  };
  let stopReason: string | undefined;
  const gates: BatchGate[] = [];
  for (const [index, batch] of splitBatches(options.targets, options.serial).entries()) {
    if (stopReason || interrupted()) {
      for (const target of batch) skip(target, stopReason ?? 'not started: interrupted');
      continue;
    }
    const done = await runOneBatch(options, batch, index + 1, settings, interrupted);
    for (const [host, report] of done.reports) reports.set(host, report);
    for (const target of done.notStarted) skip(target, 'not started: interrupted');
    if (done.gate) gates.push(done.gate);
    stopReason = nextBatchStop(options, [...done.reports.values()], batch.length, done.gate);
  }
  const hosts: Record<string, HostReport> = {};
  for (const target of options.targets) hosts[target.name] = reports.get(target.name)!;
  const report: RunReport = {
    hosts,
    summary: summarise(hosts),
    ...(interrupted() ? { interrupted: true } : {}),
    ...(options.gate ? { gates } : {}),
  };
  emit({ type: 'run-end', report });
  return report;
}
