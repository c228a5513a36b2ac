/**
 * `status --fail-on-drift`: which hosts are not compliant (src/sls/drift.ts says when), from the
 * facts `status` gathered, so a cron job or CI can alert on drift (exit 2).
 */
import type { Vars } from '../inventory/types.ts';
import type { RunReport } from '../runner/types.ts';
import { driftReasons, expectedUrlOf, type StatusFacts } from '../sls/drift.ts';
import { CliError, EXIT } from './errors.ts';

export { driftReasons, type StatusFacts };

/** The mcs URL a host should send to; a bad region is a usage error naming the host (exit 5). */
export function expectedMcsUrl(vars: Vars, host: string): string | undefined {
  try {
    return expectedUrlOf(vars);
  } catch (error) {
    throw new CliError(`${host}: ${(error as Error).message}`, EXIT.badOptions);
  }
}

/** host → why it is not compliant, for every host whose facts were read. */
export function fleetDrift(report: RunReport, expected: Map<string, string | undefined>): Record<string, string> {
  const drift: Record<string, string> = {};
  for (const [host, hostReport] of Object.entries(report.hosts)) {
    const facts = hostReport.facts as StatusFacts | undefined;
    if (!facts) continue; // unreachable or failed: the exit status says so already
    const reasons = driftReasons(facts, expected.get(host));
    if (reasons.length) drift[host] = reasons.join('; ');
  }
  return drift;
}

/** The check `execute` runs after `status`; expected URLs are resolved first, so a bad region is exit 5 before any host is touched. */
export function driftCheck(targets: { name: string; vars: Vars }[]): (report: RunReport) => Record<string, string> {
  const expected = new Map(targets.map((t) => [t.name, expectedMcsUrl(t.vars, t.name)]));
  return (report) => fleetDrift(report, expected);
}
