/**
 * The data the HTML report's page renders, made from a run document: compact (short keys, every
 * step name, message and diff once in a string table, times as milliseconds from the run's
 * start), so a 1,000-host report stays small. Pure; the page (client.ts) only reads it.
 */
import type { Summary } from '../../runner/types.ts';
import { lockLine } from '../recap.ts';
import { documentExitCode, type RunDocument } from '../run-document.ts';

type Status = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped';

export interface PageStep {
  /** name, message: indexes into PageData.S */
  n: number;
  s: Status;
  m: number;
  /** started and ended, ms from PageData.t0 */
  a?: number;
  b?: number;
  /** diff, stdout, stderr: indexes into PageData.S */
  d?: number;
  rc?: number;
  o?: number;
  e?: number;
  /** warnings (the drift an audit step found is shown once, with its host) */
  w?: string[];
  /** any other field, as label and text */
  kv?: [string, string][];
}

export interface PageCentral {
  seen: boolean;
  at?: string;
  rule?: string;
  id?: string;
  message?: string;
}

export interface PageHost {
  n: string;
  s: Status;
  a?: number;
  b?: number;
  /** why it was skipped or unreachable */
  r?: string;
  /** the first failed or unreachable step, index into st */
  f?: number;
  st: PageStep[];
  c?: PageCentral;
  /** drift reason (status --fail-on-drift) */
  dr?: string;
  /** facts, and any host field this page does not know, as label and text */
  fx?: [string, string][];
  kv?: [string, string][];
}

/** A rolling batch's Sophos Central gate: its wait (ms from t0) and outcome. */
export interface PageGate {
  batch: number;
  outcome: string;
  a?: number;
  b?: number;
  hosts: string[];
  seen: string[];
  notSeen: string[];
  message: string;
  seconds: number;
}

export interface PageData {
  title: string;
  /** the header's label and value pairs, in order */
  meta: [string, string][];
  summary: Summary;
  exit: { code: number; meaning: string };
  interrupted: boolean;
  /** the earliest start (epoch ms) and the span of the whole run in ms; null without times */
  t0: number | null;
  span: number;
  S: string[];
  hosts: PageHost[];
  /** each batch's Central gate (`deploy --serial --central`) */
  gates?: PageGate[];
}

const KNOWN_HOST = new Set(['status', 'steps', 'reason', 'facts', 'startedAt', 'finishedAt', 'drift', 'lock']);
const KNOWN_STEP = new Set([
  'name',
  'status',
  'message',
  'diff',
  'rc',
  'stdout',
  'stderr',
  'warnings',
  'facts',
  'startedAt',
  'seconds',
  'drift',
]);
const CENTRAL_STEP = 'Sophos Central';

const MEANING: Record<number, string> = {
  0: 'every host ok or changed',
  2: 'one or more hosts failed',
  3: 'one or more hosts unreachable',
  99: 'interrupted',
};

/** A value shown as text: strings as they are, anything else as compact JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

function stringTable() {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (text: string) => {
    let i = index.get(text);
    if (i === undefined) {
      i = strings.push(text) - 1;
      index.set(text, i);
    }
    return i;
  };
  return { strings, intern };
}

/** 2026-12-03 09:29:54 UTC: a header people read. */
const when = (iso: string | undefined) =>
  iso === undefined ? undefined : iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

const time = (iso: unknown) => (typeof iso === 'string' ? Date.parse(iso) : NaN);

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function central(
  facts: Record<string, unknown> | undefined,
  steps: RunDocument['hosts'][string]['steps'],
): PageCentral | undefined {
  const raw = facts?.central as Record<string, unknown> | undefined;
  const step = steps.find((s) => s.name === CENTRAL_STEP);
  if (!raw && !step) return undefined;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    seen: raw?.seen === true,
    ...(text(raw?.time) ? { at: text(raw?.time) } : {}),
    ...(text(raw?.rule) ? { rule: text(raw?.rule) } : {}),
    ...(text(raw?.id) ? { id: text(raw?.id) } : {}),
    ...(step ? { message: step.message } : {}),
  };
}

/** The header's rows: what ran, on what, by whom, when, for how long, with which version. */
function metaRows(doc: RunDocument, version: string, t0: number | null, span: number): [string, string][] {
  const run = doc.run;
  const rows: [string, string | undefined][] = [
    ['playbook', run?.playbook],
    ['inventory', run?.inventory],
    ['limit', run?.limit],
    ['mode', run?.check ? 'check (dry run: nothing changed)' : undefined],
    ['ran by', run?.user ? `${run.user}${run.controller ? ` on ${run.controller}` : ''}` : run?.controller],
    ['started', when(run?.startedAt ?? (t0 === null ? undefined : new Date(t0).toISOString()))],
    ['finished', when(run?.finishedAt)],
    ['duration', run?.seconds !== undefined ? duration(run.seconds) : t0 === null ? undefined : duration(span / 1000)],
    ['sls-play', version],
    ['slice', doc.slice ? `${doc.slice.index}/${doc.slice.count} of ${doc.slice.selected.length} hosts` : undefined],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
}

/** The page's data for one run document (already merged and redacted). */
export function pageData(doc: RunDocument, version: string): PageData {
  const { strings, intern } = stringTable();
  const entries = Object.entries(doc.hosts);
  const starts = entries
    .flatMap(([, h]) => [
      time((h as { startedAt?: string }).startedAt),
      ...h.steps.map((s) => time((s as { startedAt?: string }).startedAt)),
    ])
    .filter(Number.isFinite);
  const runStart = time(doc.run?.startedAt);
  const t0 = Number.isFinite(runStart) ? runStart : starts.length ? Math.min(...starts) : null;
  const offset = (iso: unknown) => {
    const t = time(iso);
    return t0 === null || !Number.isFinite(t) ? undefined : Math.max(0, Math.round(t - t0));
  };
  let span = 0;
  const hosts: PageHost[] = entries.map(([name, host]) => {
    const extra = host as unknown as Record<string, unknown>;
    const st = host.steps.map((step): PageStep => {
      const fields = step as unknown as Record<string, unknown>;
      const a = offset(fields.startedAt);
      const b =
        a !== undefined && typeof fields.seconds === 'number' ? a + Math.round(fields.seconds * 1000) : undefined;
      const kv = Object.entries(fields)
        .filter(([k, v]) => !KNOWN_STEP.has(k) && v !== undefined)
        .map(([k, v]): [string, string] => [k, showValue(v)]);
      return {
        n: intern(step.name),
        s: step.status,
        m: intern(step.message ?? ''),
        ...(a !== undefined ? { a } : {}),
        ...(b !== undefined ? { b } : {}),
        ...(step.diff ? { d: intern(step.diff) } : {}),
        ...(step.rc !== undefined ? { rc: step.rc } : {}),
        ...(step.stdout ? { o: intern(step.stdout) } : {}),
        ...(step.stderr ? { e: intern(step.stderr) } : {}),
        ...(step.warnings?.length ? { w: step.warnings } : {}),
        ...(kv.length ? { kv } : {}),
      };
    });
    const a = offset(extra.startedAt);
    const b =
      offset(extra.finishedAt) ??
      st.reduce<number | undefined>((end, s) => (s.b !== undefined ? Math.max(end ?? 0, s.b) : end), undefined);
    span = Math.max(span, b ?? 0, a ?? 0);
    const failed = host.steps.findIndex((s) => s.status === 'failed' || s.status === 'unreachable');
    const facts = Object.entries(host.facts ?? {})
      .filter(([k]) => k !== 'central')
      .map(([k, v]): [string, string] => [k, showValue(v)]);
    const lock = lockLine(host);
    const kv = [
      ...(lock ? [['run lock', lock.replace(/^run lock: /, '')] as [string, string]] : []),
      ...Object.entries(extra)
        .filter(([k, v]) => !KNOWN_HOST.has(k) && v !== undefined)
        .map(([k, v]): [string, string] => [k, showValue(v)]),
    ];
    const c = central(host.facts, host.steps);
    // drift reasons: the document's (status --fail-on-drift) and the host's own list, each once
    const own = Array.isArray(extra.drift)
      ? extra.drift.map(String)
      : typeof extra.drift === 'string'
        ? [extra.drift]
        : [];
    const dr = [...new Set([...(doc.drift?.[name]?.split('; ') ?? []), ...own].filter(Boolean))].join('; ');
    return {
      n: name,
      s: host.status,
      ...(a !== undefined ? { a } : {}),
      ...(b !== undefined ? { b } : {}),
      ...(host.reason ? { r: host.reason } : {}),
      ...(failed >= 0 ? { f: failed } : {}),
      st,
      ...(c ? { c } : {}),
      ...(dr ? { dr } : {}),
      ...(facts.length ? { fx: facts } : {}),
      ...(kv.length ? { kv } : {}),
    };
  });
  const gates = (doc.gates ?? []).map(
    (g): PageGate => ({
      batch: g.batch,
      outcome: g.outcome,
      ...(offset(g.startedAt) !== undefined ? { a: offset(g.startedAt) } : {}),
      ...(offset(g.finishedAt) !== undefined ? { b: offset(g.finishedAt) } : {}),
      hosts: g.hosts,
      seen: g.seen,
      notSeen: g.notSeen,
      message: g.message,
      seconds: g.seconds,
    }),
  );
  for (const g of gates) span = Math.max(span, g.b ?? 0);
  if (doc.run?.seconds !== undefined) span = Math.max(span, Math.round(doc.run.seconds * 1000));
  const code = documentExitCode(doc);
  const drifted = doc.drift && Object.keys(doc.drift).length > 0 && code === 2 && doc.summary.failed === 0;
  return {
    title: `sls-play ${doc.run?.command ?? 'run'}`,
    meta: metaRows(doc, version, t0, span),
    summary: doc.summary,
    exit: { code, meaning: drifted ? 'one or more hosts not compliant (drift)' : (MEANING[code] ?? 'see the hosts') },
    interrupted: doc.interrupted === true,
    t0,
    span,
    S: strings,
    hosts,
    ...(gates.length ? { gates } : {}),
  };
}
