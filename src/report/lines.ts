import type { StepReport } from '../runner/types.ts';

const LABEL: Record<StepReport['status'], string> = {
  ok: 'ok',
  changed: 'changed',
  failed: 'fatal',
  unreachable: 'unreachable',
  skipped: 'skipping',
};

/** One line per step result, in Ansible's words: `changed: [web-01] config: mcs output added`. */
export function stepLine(host: string, step: StepReport): string {
  // not `drift:`, which starts the summary lines `status --fail-on-drift` prints for scripts
  const label = step.status === 'ok' && step.drift?.length ? 'drifted' : LABEL[step.status];
  const drift = step.drift?.length ? ` — drift: ${step.drift.join('; ')}` : '';
  return `${label}: [${host}] ${step.name}: ${step.message}${drift}`;
}

/** A host's status as people should read it: an ok host whose audit found drift is `drift`. */
export const hostLabel = (report: { status: string; drift?: string[] }) =>
  report.status === 'ok' && report.drift?.length ? 'drift' : report.status;

export function warningLines(host: string, step: StepReport): string[] {
  return (step.warnings ?? []).map((w) => `warning: [${host}] ${step.name}: ${w}`);
}

/** Output of an ad hoc command, indented under its step line. */
export function commandOutputLines(step: StepReport): string[] {
  const out: string[] = [];
  for (const text of [step.stdout, step.stderr]) {
    if (text?.trim())
      out.push(
        ...text
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
      );
  }
  return out;
}
