import { runTime } from '../tasks/owed/record.ts';
import type { HostReport, RunReport } from '../runner/types.ts';
import { hostLabel } from './lines.ts';
import { gateRecapLines } from './gate-lines.ts';

/** What a host owed when the run started and still owes now: the lines under its recap line. */
export function owedLines(host: HostReport): string[] {
  const lines: string[] = [];
  if (host.owedAtStart?.length) {
    lines.push(
      `owed from an earlier run: ${host.owedAtStart.map((e) => `${e.handler} (since ${runTime(e.at)})`).join(', ')}`,
    );
  }
  if (host.stillOwed?.length)
    lines.push(`still owed: ${host.stillOwed.join(', ')} (recorded on the host; the next run runs them)`);
  return lines;
}

/** What became of the run lock on the host, in words; `quiet` leaves out a lock taken at once. */
export function lockLine(host: HostReport, quiet = false): string | undefined {
  const lock = host.lock;
  if (!lock) return undefined;
  const waited = `${lock.waitedS} s`;
  switch (lock.outcome) {
    case 'taken':
      if (!lock.waitedS && !lock.holder) return quiet ? undefined : 'run lock: taken at once';
      return `run lock: taken after waiting ${waited}${lock.holder ? ` for ${lock.holder}` : ''}`;
    case 'held':
      return `run lock: held by ${lock.holder ?? 'another run'}; waited ${waited}`;
    case 'in-progress':
      return `run lock: a run is in progress: ${lock.holder ?? 'another run'}`;
    case 'free':
      return quiet ? undefined : 'run lock: no run in progress';
    case 'failed':
      return 'run lock: could not be taken';
  }
}

/** An Ansible-style recap: one line per host with its step counts, then the host totals. */
export function recapText(report: RunReport): string {
  const names = Object.keys(report.hosts);
  const width = Math.max(10, ...names.map((n) => n.length));
  const lines = ['', 'RECAP'];
  for (const name of names) {
    const host = report.hosts[name]!;
    const count = (status: string) => host.steps.filter((s) => s.status === status).length;
    const counts = `ok=${count('ok')}  changed=${count('changed')}  unreachable=${count('unreachable')}  failed=${count('failed')}  skipped=${count('skipped')}`;
    const reason = host.reason ? `  (${host.reason})` : '';
    lines.push(`${name.padEnd(width)} : ${hostLabel(host).padEnd(11)} ${counts}${reason}`);
    const lock = lockLine(host, true);
    for (const line of [...(lock ? [lock] : []), ...owedLines(host)]) lines.push(`${' '.repeat(width)}   ${line}`);
  }
  lines.push(...gateRecapLines(report.gates));
  const s = report.summary;
  const drifted = names.filter((n) => hostLabel(report.hosts[n]!) === 'drift').length;
  lines.push(
    '',
    `${names.length} host${names.length === 1 ? '' : 's'}: ${s.ok} ok${drifted ? ` (${drifted} with drift)` : ''}, ${s.changed} changed, ${s.failed} failed, ${s.unreachable} unreachable, ${s.skipped} skipped` +
      (report.interrupted ? ' (interrupted)' : ''),
  );
  return `${lines.join('\n')}\n`;
}
