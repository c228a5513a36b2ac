/**
 * The owed-handlers record: which handlers a run notified on a host and has not yet run there
 * successfully. It lives on the host (one small JSON file per playbook), so a run that dies between
 * a change and its handlers (killed, a dropped session, a later task failing) is finished by the
 * next run, whatever controller it runs on. It never holds a secret: names, a run id and a time.
 */
import { createHash } from 'node:crypto';

export interface OwedEntry {
  /** The handler's name (not a `listen` topic). */
  handler: string;
  /** The task (or handler) whose change notified it. */
  notifiedBy: string;
  /** The id of the run that recorded it. */
  run: string;
  /** When that run started, ISO 8601. */
  at: string;
}

export interface OwedRecord {
  format: 1;
  playbook: string;
  owed: OwedEntry[];
}

/** The record file of a playbook: readable, stable and distinct per playbook name. */
export function recordFileName(playbook: string): string {
  const slug =
    playbook
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'playbook';
  const hash = createHash('sha256').update(playbook).digest('hex').slice(0, 8);
  return `owed-handlers.${slug}.${hash}.json`;
}

export const RECORD_GLOB = 'owed-handlers.*.json';

export function serialiseRecord(playbook: string, owed: readonly OwedEntry[]): string {
  const record: OwedRecord = { format: 1, playbook, owed: [...owed] };
  return `${JSON.stringify(record)}\n`;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isEntry(value: unknown): value is OwedEntry {
  const e = value as Partial<OwedEntry> | null;
  return Boolean(
    e && typeof e === 'object' && isText(e.handler) && isText(e.notifiedBy) && isText(e.run) && isText(e.at),
  );
}

/** A record read back from a host, or why it cannot be used (a damaged file is never a crash). */
export type ParsedRecord = { ok: true; record: OwedRecord } | { ok: false; problem: string };

export function parseRecord(text: string): ParsedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `not JSON (${(error as Error).message})` };
  }
  const record = value as Partial<OwedRecord> | null;
  if (!record || typeof record !== 'object' || record.format !== 1)
    return { ok: false, problem: 'not an owed-handlers record of format 1' };
  if (!isText(record.playbook) || !Array.isArray(record.owed) || !record.owed.every(isEntry)) {
    return { ok: false, problem: 'its playbook or owed entries are missing or malformed' };
  }
  return { ok: true, record: { format: 1, playbook: record.playbook, owed: record.owed } };
}

/** "2026-12-03 07:12" (UTC), as people read a run's time. */
export function runTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Why a handler runs although nothing changed in this run. */
export function owedReason(entry: OwedEntry): string {
  return `owed since the run of ${runTime(entry.at)} (notified by "${entry.notifiedBy}"), which ended before its handlers ran`;
}
