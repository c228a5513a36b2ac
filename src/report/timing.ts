import type { HostReport, RunEvent, RunListener } from '../runner/types.ts';

/** When a host or one of its steps started and ended (epoch ms); `end` is missing while it runs. */
export interface Span {
  start: number;
  end?: number;
}

/** A step's span, with the step's name so it is matched to the right step of the report. */
export interface StepSpan extends Span {
  name: string;
}

/**
 * Listens beside the reporter and remembers what the result files need: when the run, each
 * host and each step started and ended, and every finished host's report (so a run stopped by a
 * second Ctrl-C can still write what it knows).
 */
export interface RunRecorder {
  listener: RunListener;
  startedAt: Date;
  seconds(): number;
  hostSeconds(): Record<string, number>;
  /** Hosts in run order and the reports of those that finished. */
  hosts(): string[];
  finished(): Map<string, HostReport>;
  /** Each started host's span. */
  hostSpans(): Map<string, Span>;
  /** Each host's step spans, in the order its steps ended (the order of its report's steps). */
  stepSpans(): Map<string, StepSpan[]>;
}

export function runRecorder(now: () => number = Date.now): RunRecorder {
  const startedAt = new Date(now());
  const spans = new Map<string, Span>();
  const steps = new Map<string, StepSpan[]>();
  // A step that ends without having started (connect, a failed fact gathering) began when the one before it ended.
  const pending = new Map<string, { step: string; at: number }>();
  const done = new Map<string, HostReport>();
  const took = new Map<string, number>();
  let order: string[] = [];
  const listener = (event: RunEvent) => {
    if (event.type === 'run-start') order = event.hosts;
    else if (event.type === 'host-start') {
      spans.set(event.host, { start: now() });
      steps.set(event.host, []);
    } else if (event.type === 'step-start') pending.set(event.host, { step: event.step, at: now() });
    else if (event.type === 'step-end') {
      const list = steps.get(event.host) ?? [];
      const started = pending.get(event.host);
      const previous = list.at(-1)?.end ?? spans.get(event.host)?.start ?? now();
      list.push({
        name: event.step.name,
        start: started?.step === event.step.name ? started.at : previous,
        end: now(),
      });
      pending.delete(event.host);
      steps.set(event.host, list);
    } else if (event.type === 'host-end') {
      done.set(event.host, event.report);
      const span = spans.get(event.host);
      if (span) span.end = now();
      took.set(event.host, span ? (span.end! - span.start) / 1000 : 0);
    }
  };
  return {
    listener,
    startedAt,
    seconds: () => (now() - startedAt.getTime()) / 1000,
    hostSeconds: () => Object.fromEntries(took),
    hosts: () => order,
    finished: () => done,
    hostSpans: () => spans,
    stepSpans: () => steps,
  };
}
