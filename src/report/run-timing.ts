/**
 * What a run document says about the run itself, beside its hosts: who ran which command on
 * which inventory, when, and how long each host and step took (the HTML report's header and
 * timeline). Only adds fields: `run` on the document, `startedAt`/`finishedAt` on a host and
 * `startedAt`/`seconds` on a step; scripts reading the existing ones see no change.
 */
import { hostname, userInfo } from 'node:os';
import type { RunReport } from '../runner/types.ts';
import type { RunRecorder, Span, StepSpan } from './timing.ts';

/** The `run` object of a document. */
export interface RunInfo {
  /** deploy, status, exec, run or test-alert */
  command?: string;
  playbook?: string;
  inventory?: string;
  limit?: string;
  check?: boolean;
  /** who ran it: the controller's user, and the controller */
  user?: string;
  controller?: string;
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
}

export type RunInvocation = Pick<RunInfo, 'command' | 'playbook' | 'inventory' | 'limit' | 'check'>;

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (span: Span) => (span.end === undefined ? undefined : Math.max(0, span.end - span.start) / 1000);

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME;
  }
}

/**
 * The recorder has a span per step that ended, in the order of the report's steps; a step the
 * report has but no event announced (Central's, added after the run) gets none, and its
 * neighbours still get their own, matched by name.
 */
function timedSteps(
  steps: RunReport['hosts'][string]['steps'],
  spans: StepSpan[],
): RunReport['hosts'][string]['steps'] {
  let next = 0;
  return steps.map((step) => {
    const at = spans.findIndex((s, i) => i >= next && s.name === step.name);
    if (at < 0) return step;
    next = at + 1;
    const span = spans[at]!;
    return span.end === undefined ? step : { ...step, startedAt: iso(span.start), seconds: seconds(span) };
  });
}

/** The report with the recorder's times added to its hosts and steps, and the `run` object. */
export function withTiming<T extends RunReport>(
  report: T,
  recorder: RunRecorder,
  invocation: RunInvocation,
  now = Date.now(),
): T & { run: RunInfo } {
  const hostSpans = recorder.hostSpans();
  const stepSpans = recorder.stepSpans();
  const hosts: RunReport['hosts'] = {};
  for (const [name, host] of Object.entries(report.hosts)) {
    const span = hostSpans.get(name);
    const spans = stepSpans.get(name) ?? [];
    if (!span) {
      hosts[name] = host;
      continue;
    }
    hosts[name] = {
      ...host,
      startedAt: iso(span.start),
      ...(span.end === undefined ? {} : { finishedAt: iso(span.end) }),
      steps: timedSteps(host.steps, spans),
    } as RunReport['hosts'][string];
  }
  const started = recorder.startedAt.getTime();
  const run: RunInfo = {
    ...invocation,
    user: currentUser(),
    controller: hostname(),
    startedAt: iso(started),
    finishedAt: iso(now),
    seconds: Math.max(0, now - started) / 1000,
  };
  return { ...report, hosts, run };
}

/** The `run` object of slices merged: the first slice's command, every user and controller, the whole span. */
export function mergedRunInfo(infos: (RunInfo | undefined)[]): RunInfo | undefined {
  const known = infos.filter((i): i is RunInfo => i !== undefined && typeof i.startedAt === 'string');
  if (known.length === 0) return undefined;
  const distinct = (values: (string | undefined)[]) =>
    [...new Set(values.filter((v): v is string => Boolean(v)))].join(', ') || undefined;
  const starts = known.map((i) => Date.parse(i.startedAt)).filter(Number.isFinite);
  const ends = known.map((i) => (i.finishedAt ? Date.parse(i.finishedAt) : NaN)).filter(Number.isFinite);
  const first = known[0]!;
  const start = Math.min(...starts);
  const end = ends.length === known.length ? Math.max(...ends) : undefined;
  return {
    ...first,
    user: distinct(known.map((i) => i.user)),
    controller: distinct(known.map((i) => i.controller)),
    startedAt: iso(start),
    ...(end === undefined
      ? { finishedAt: undefined, seconds: undefined }
      : { finishedAt: iso(end), seconds: (end - start) / 1000 }),
  };
}
