import type { RunReport } from '../runner/types.ts';

const COLUMNS = [
  'host',
  'sensor',
  'version ok',
  'cert pairs',
  'mcs output',
  'mcs reachable',
  'service',
  'last test alert',
  'drift',
] as const;

const cell = (value: unknown) => (value === null || value === undefined || value === '' ? '-' : String(value));

/** One row per host for `status` on a terminal; unreachable hosts say why. */
export function statusTable(report: RunReport): string {
  const rows = Object.entries(report.hosts).map(([host, hostReport]) => {
    const f = hostReport.facts;
    if (!f)
      return [
        host,
        hostReport.status,
        '',
        '',
        hostReport.steps.at(-1)?.message ?? hostReport.reason ?? '',
        '',
        '',
        '',
        '',
      ];
    const pairs = f.certPairs as number[];
    return [
      host,
      cell(f.sensorVersion ?? 'not found'),
      f.versionOk ? 'yes' : 'NO',
      pairs.length ? pairs.join(',') : 'none',
      f.mcsConfigured ? cell(f.mcsRegion ?? f.mcsUrl) : 'not configured',
      cell(f.mcsReachable ?? 'not probed'),
      cell(f.service),
      cell(f.lastTestAlert ?? 'never'),
      cell(hostReport.drift?.join('; ')),
    ];
  });
  const table = [[...COLUMNS], ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
  return `${table
    .map((r) =>
      r
        .map((c, i) => String(c).padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
