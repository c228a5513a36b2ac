import type { HostReport, RunEvent, RunListener } from '../runner/types.ts';

/**
 * Listens beside the reporter and remembers what the result files need: when the run and each
 * host started and ended, and every finished host's report (so a run stopped by a second Ctrl-C
 * can still write what it knows).
 */
export interface RunRecorder {
  listener: RunListener;
  startedAt: Date;
  seconds(): number;
  hostSeconds(): Record<string, number>;
  /** Hosts in run order and the reports of those that finished. */
  hosts(): string[];
  finished(): Map<string, HostReport>;
}

export function runRecorder(now: () => number = Date.now): RunRecorder {
  const startedAt = new Date(now());
  const start = new Map<string, number>();
  const took = new Map<string, number>();
  const done = new Map<string, HostReport>();
  let order: string[] = [];
  const listener = (event: RunEvent) => {
    if (event.type === 'run-start') order = event.hosts;
    else if (event.type === 'host-start') start.set(event.host, now());
    else if (event.type === 'host-end') {
      done.set(event.host, event.report);
      const began = start.get(event.host);
      took.set(event.host, began === undefined ? 0 : (now() - began) / 1000);
    }
  };
  return {
    listener,
    startedAt,
    seconds: () => (now() - startedAt.getTime()) / 1000,
    hostSeconds: () => Object.fromEntries(took),
    hosts: () => order,
    finished: () => done,
  };
}
