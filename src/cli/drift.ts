/**
 * `status --fail-on-drift`: which hosts are not compliant, from the facts `status` gathered, so
 * a cron job or CI can alert on drift (exit 2). Compliant: the sensor is new enough, at least
 * one CA certificate pair, an enabled `mcs` output to the expected URL (when sls_region or
 * sls_mcs_url says which), and the service active.
 */
import type { Vars } from '../inventory/types.ts';
import type { RunReport } from '../runner/types.ts';
import { normaliseMcsUrl, resolveMcsUrl } from '../sls/regions.ts';
import { CliError, EXIT } from './errors.ts';

/** The `facts` of a `status` step (src/sls/read-playbooks.ts). */
export interface StatusFacts {
  sensorVersion: string | null;
  versionOk: boolean;
  certPairs: number[];
  mcsConfigured: boolean;
  mcsUrl: string | null;
  configError: string | null;
  service: string | null;
}

const text = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : String(value));

/** The mcs URL a host should send to; undefined when its variables name none (any mcs output will do). */
export function expectedMcsUrl(vars: Vars, host: string): string | undefined {
  const region = text(vars.sls_region);
  const url = text(vars.sls_mcs_url);
  if (!region && !url) return undefined;
  try {
    return resolveMcsUrl({ region, url });
  } catch (error) {
    throw new CliError(`${host}: ${(error as Error).message}`, EXIT.badOptions);
  }
}

const sameUrl = (a: string, b: string) => {
  try {
    return normaliseMcsUrl(a) === normaliseMcsUrl(b);
  } catch {
    return false;
  }
};

/** Every way a host differs from compliant, in words; empty when compliant. */
export function driftReasons(facts: StatusFacts, expectedUrl: string | undefined): string[] {
  const reasons: string[] = [];
  if (!facts.versionOk) reasons.push(facts.sensorVersion ? `sensor ${facts.sensorVersion} is too old` : 'no sensor found');
  if (facts.certPairs.length === 0) reasons.push('no CA certificate pair');
  if (facts.configError) reasons.push(`config does not parse (${facts.configError})`);
  else if (!facts.mcsConfigured || !facts.mcsUrl) reasons.push('no enabled mcs output');
  else if (expectedUrl && !sameUrl(facts.mcsUrl, expectedUrl)) reasons.push(`mcs output sends to ${facts.mcsUrl}, not ${expectedUrl}`);
  if (facts.service !== 'active') reasons.push(`service ${facts.service ?? 'unknown'}, not active`);
  return reasons;
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
