import type { Detection } from './types.ts';

/** A host whose test alert is looked for: its names (inventory name, address) and when it was triggered. */
export interface WatchedHost {
  name: string;
  /** ansible_host and any other address the host may be reported by */
  addresses: string[];
  /** epoch ms: a detection before this is not this run's */
  since: number;
}

/** What tied a detection to a host, shown in -v and --json so a real run teaches the field. */
export interface AlertMatch {
  id: string | null;
  /** the detection's time (ISO) */
  time: string;
  rule: string | null;
  /** where the host was found: "device.entity" or the path of the field that named it */
  hostField: string;
  /** where "Alert Tester" was found */
  alertField: string;
}

export const ALERT_NAME = 'Alert Tester';
/**
 * The query window opens this long before the earliest trigger (cheap, and it shows in -v what
 * Central holds). Matching itself allows no slack: an earlier run's test alert arriving late must
 * not pass for this run's, so a host's clock must not run behind the controller's (NTP).
 */
export const QUERY_MARGIN_MS = 60_000;

type Leaf = { path: string; value: string };

function leaves(value: unknown, path: string, out: Leaf[]): Leaf[] {
  if (typeof value === 'string') out.push({ path, value });
  else if (typeof value === 'number') out.push({ path, value: String(value) });
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) leaves(v, `${path}[${i}]`, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

/** The first field (depth first, in record order) mentioning "Alert Tester", case-insensitively. */
export function alertField(record: Detection): string | undefined {
  const needle = ALERT_NAME.toLowerCase();
  return leaves(record, '', []).find((l) => l.value.toLowerCase().includes(needle))?.path;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Does `text` name `name` as a whole word (not web-1 inside web-10, not 10.0.0.1 inside 10.0.0.12)? */
export function namesHost(text: string, name: string): boolean {
  if (!name) return false;
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escapeRegExp(name)}($|[^A-Za-z0-9_-]|\\.(?![0-9]))`, 'i').test(text);
}

/** device.entity is the host: equal to a name or address, or its FQDN / short name. */
export function entityIsHost(entity: string, names: string[]): boolean {
  const e = entity.trim().toLowerCase();
  return names.some((raw) => {
    const n = raw.toLowerCase();
    return e === n || e.startsWith(`${n}.`) || n.startsWith(`${e}.`);
  });
}

/** The detection's time in epoch ms, from `time`, else `sensorGeneratedAt`, else `createdAt`. */
export function detectionTime(record: Detection): { iso: string; ms: number } | undefined {
  for (const key of ['time', 'sensorGeneratedAt', 'createdAt']) {
    const v = record[key];
    if (typeof v === 'string') {
      const ms = Date.parse(v);
      if (!Number.isNaN(ms)) return { iso: v, ms };
    }
  }
  return undefined;
}

/** Which field ties the record to the host: device.entity first, else any field naming it (the rule). */
export function hostField(record: Detection, host: WatchedHost): string | undefined {
  const names = [host.name, ...host.addresses].filter(Boolean);
  const entity = record.device?.entity;
  if (typeof entity === 'string' && entityIsHost(entity, names)) return 'device.entity';
  // failing that (no entity, or one in a form we do not know yet), any field naming the host as a whole word
  return leaves(record, '', []).find((l) => names.some((n) => namesHost(l.value, n)))?.path;
}

/**
 * Each host's newest "Alert Tester" detection at or after its trigger (less `allowanceMs`, none by default).
 * Pure: the poller calls it on the records of every poll.
 */
export function matchAlerts(records: Detection[], hosts: WatchedHost[], allowanceMs = 0): Map<string, AlertMatch> {
  const found = new Map<string, AlertMatch & { ms: number }>();
  for (const record of records) {
    const alert = alertField(record);
    if (!alert) continue;
    const time = detectionTime(record);
    if (!time) continue;
    for (const host of hosts) {
      if (time.ms < host.since - allowanceMs) continue;
      const field = hostField(record, host);
      if (!field) continue;
      const prior = found.get(host.name);
      if (prior && prior.ms >= time.ms) continue;
      const rule = typeof record.detectionRule === 'string' ? record.detectionRule : null;
      found.set(host.name, {
        id: typeof record.id === 'string' ? record.id : null,
        time: time.iso,
        rule,
        hostField: field,
        alertField: alert,
        ms: time.ms,
      });
    }
  }
  return new Map([...found].map(([name, { ms: _ms, ...match }]) => [name, match]));
}
