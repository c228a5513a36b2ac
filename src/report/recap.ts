import type { RunReport } from '../runner/types.ts';

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
    lines.push(`${name.padEnd(width)} : ${host.status.padEnd(11)} ${counts}${reason}`);
  }
  const s = report.summary;
  lines.push(
    '',
    `${names.length} host${names.length === 1 ? '' : 's'}: ${s.ok} ok, ${s.changed} changed, ${s.failed} failed, ${s.unreachable} unreachable, ${s.skipped} skipped` +
      (report.interrupted ? ' (interrupted)' : ''),
  );
  return lines.join('\n') + '\n';
}
