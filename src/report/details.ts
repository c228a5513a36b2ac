import type { HostReport, StepReport } from '../runner/types.ts';
import { commandOutputLines, hostLabel, warningLines } from './lines.ts';
import { redact } from './secrets.ts';

/** What a one-line-per-host display cannot hold, per host: warnings, command output, diffs, failures. */
export function detailLines(host: string, steps: StepReport[], diff: boolean): string[] {
  return steps.flatMap((step) => [
    ...warningLines(host, step),
    ...(step.stdout !== undefined || step.stderr !== undefined
      ? [`[${host}] ${step.name} (rc=${step.rc ?? '?'})`, ...commandOutputLines(step)]
      : []),
    ...(diff && step.diff ? [`[${host}] ${step.name}:`, step.diff.trimEnd()] : []),
    ...(step.status === 'failed' || step.status === 'unreachable'
      ? [`${step.status}: [${host}] ${step.name}: ${step.message}`]
      : []),
  ]);
}

/** One line for a finished host: its status and what changed or went wrong. */
export function hostSummary(host: string, report: HostReport): string {
  const named = (status: string) => report.steps.filter((s) => s.status === status);
  let detail: string;
  const label = hostLabel(report);
  if (report.reason) detail = report.reason;
  else if (label === 'drift') detail = report.drift!.join('; ');
  else if (report.status === 'changed')
    detail = named('changed')
      .map((s) => `${s.name}: ${s.message}`)
      .join(' · ');
  else if (report.status === 'failed' || report.status === 'unreachable') {
    const bad = named(report.status)[0];
    detail = bad ? `${bad.name}: ${bad.message}` : '';
  } else detail = `${report.steps.length} step${report.steps.length === 1 ? '' : 's'} ok`;
  return redact(`${host}  ${label}  ${detail}`);
}
