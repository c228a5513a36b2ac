import { randomBytes } from 'node:crypto';
import type { Playbook } from '../playbook/types.ts';
import type { Connection } from '../transport/types.ts';
import { splitBatches, type SerialEntry } from './batches.ts';
import { runHost } from './host-run.ts';
import { forEachLimited } from './pool.ts';
import { summarise } from './status.ts';
import type { HostReport, HostRunSettings, HostTarget, RunListener, RunReport } from './types.ts';

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
  for (const batch of splitBatches(options.targets, options.serial)) {
    if (stopReason || interrupted()) {
      for (const target of batch) skip(target, stopReason ?? 'not started: interrupted');
      continue;
    }
    const batchReports: HostReport[] = [];
    const notStarted = await forEachLimited(
      batch,
      options.forks,
      async (target) => {
        const report = await runHost(target, options.playbook, options.connect, settings, emit, interrupted);
        reports.set(target.name, report);
        batchReports.push(report);
      },
      interrupted,
    );
    for (const target of notStarted) skip(target, 'not started: interrupted');
    stopReason = batchFailedTooMuch(batchReports, options.maxFailPercentage, Boolean(options.serial?.length));
  }
  const hosts: Record<string, HostReport> = {};
  for (const target of options.targets) hosts[target.name] = reports.get(target.name)!;
  const report: RunReport = { hosts, summary: summarise(hosts), ...(interrupted() ? { interrupted: true } : {}) };
  emit({ type: 'run-end', report });
  return report;
}
