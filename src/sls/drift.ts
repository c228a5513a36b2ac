/**
 * What makes a host not compliant, from the facts `status` read: the sensor is new enough, at
 * least one CA certificate pair, an enabled `mcs` output to the expected URL (when sls_region or
 * sls_mcs_url says which), the service active, no handler owed by an interrupted run, and no
 * config written after the sensor started (the running sensor has not loaded it).
 */
import type { Vars } from '../inventory/types.ts';
import { normaliseMcsUrl, resolveMcsUrl } from './regions.ts';
import { describeReach, type McsReach } from './mcs-probe.ts';

const text = (value: unknown) => (value === undefined || value === null || value === '' ? undefined : String(value));

/** The mcs URL a host should send to; undefined when its variables name none (any mcs output will do). Throws for a bad region. */
export function expectedUrlOf(vars: Vars): string | undefined {
  const region = text(vars.sls_region);
  const url = text(vars.sls_mcs_url);
  return region || url ? resolveMcsUrl({ region, url }) : undefined;
}

/** A handler an earlier run left owed on the host (from its owed-handlers records). */
export interface OwedHandler {
  playbook: string;
  handler: string;
  /** The owing run's start, ISO 8601. */
  at: string;
}

/** The `facts` of a `status` step (src/sls/read-playbooks.ts). */
export interface StatusFacts {
  sensorVersion: string | null;
  versionOk: boolean;
  certPairs: number[];
  mcsConfigured: boolean;
  mcsUrl: string | null;
  configError: string | null;
  service: string | null;
  owedHandlers?: OwedHandler[];
  /** Records that could not be read, in words. */
  owedProblems?: string[];
  /** Whether the running sensor can have loaded the config on disk. */
  configLoaded?: ConfigLoaded;
  /** What the MCS endpoint probe found; null when it was not probed. */
  mcsReach?: McsReach | null;
}

/** The config file's write time against the sensor's start, both in seconds since the epoch. */
export type ConfigLoaded =
  | { state: 'loaded' | 'changed-after-start'; configWrittenAt: number; sensorStartedAt: number }
  | { state: 'no-config' }
  | { state: 'unknown'; why: string };

const sameUrl = (a: string, b: string) => {
  try {
    return normaliseMcsUrl(a) === normaliseMcsUrl(b);
  } catch {
    return false;
  }
};

/** "2026-12-03 07:12:00 UTC" */
export const utcTime = (epochSeconds: number) =>
  `${new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** Every way a host differs from compliant, in words; empty when compliant. */
export function driftReasons(facts: StatusFacts, expectedUrl: string | undefined): string[] {
  const reasons: string[] = [];
  if (!facts.versionOk)
    reasons.push(facts.sensorVersion ? `sensor ${facts.sensorVersion} is too old` : 'no sensor found');
  if (facts.certPairs.length === 0) reasons.push('no CA certificate pair');
  if (facts.configError) reasons.push(`config does not parse (${facts.configError})`);
  else if (!facts.mcsConfigured || !facts.mcsUrl) reasons.push('no enabled mcs output');
  else if (expectedUrl && !sameUrl(facts.mcsUrl, expectedUrl))
    reasons.push(`mcs output sends to ${facts.mcsUrl}, not ${expectedUrl}`);
  // a host sending to Central that cannot reach it: its alerts go nowhere
  if (facts.mcsConfigured && facts.mcsReach?.reachable === 'no')
    reasons.push(
      `cannot reach ${facts.mcsReach.endpoint}: ${describeReach(facts.mcsReach)}; alerts would never reach Sophos Central`,
    );
  if (facts.service !== 'active') reasons.push(`service ${facts.service ?? 'unknown'}, not active`);
  for (const owed of facts.owedHandlers ?? []) {
    reasons.push(
      `${owed.handler} owed since ${utcTime(Date.parse(owed.at) / 1000)} (a run of "${owed.playbook}" ended before its handlers ran); run deploy again`,
    );
  }
  for (const problem of facts.owedProblems ?? []) reasons.push(problem);
  const loaded = facts.configLoaded;
  if (loaded?.state === 'changed-after-start' && facts.service === 'active') {
    reasons.push(`config changed after the sensor started at ${utcTime(loaded.sensorStartedAt)}; restart it`);
  }
  return reasons;
}

/** Reads the config-time probe's output: "<config mtime|none> <sensor start|unknown>". */
export function configLoadedFrom(output: string, cannotTell?: string): ConfigLoaded {
  if (cannotTell) return { state: 'unknown', why: cannotTell };
  const [written = '', started = ''] = output.trim().split(/\s+/);
  if (written === 'none') return { state: 'no-config' };
  const configWrittenAt = Number(written);
  const sensorStartedAt = Number(started);
  if (!Number.isFinite(configWrittenAt) || written === '')
    return { state: 'unknown', why: 'the config file time could not be read' };
  if (!Number.isFinite(sensorStartedAt) || started === '' || started === 'unknown')
    return { state: 'unknown', why: 'the sensor start time could not be read' };
  return {
    state: configWrittenAt > sensorStartedAt ? 'changed-after-start' : 'loaded',
    configWrittenAt,
    sensorStartedAt,
  };
}
