import type { RunListener } from '../runner/types.ts';

export interface ReporterOptions {
  /** Where human output goes (stderr under --json). */
  out: NodeJS.WritableStream;
  diff: boolean;
  verbose: boolean;
}

/** Listens to a run and prints it; `finish` resolves when everything is written. */
export interface Reporter {
  listener: RunListener;
  finish(): Promise<void>;
  /** A message for the user during the run (Ctrl-C), printed where it does not break a live display. */
  note?(text: string): void;
}
