import { fleetViewReporter } from './fleet-view.ts';
import { plainReporter } from './plain.ts';
import type { Reporter } from './reporter.ts';
import { taskListReporter } from './tasklist.ts';
import { screenSize } from './fleet-render.ts';

export interface ReporterChoice {
  /** Human output goes to stderr under --json. */
  json?: boolean;
  verbose?: boolean;
  /** Plain lines even on a terminal (--step asks questions between them). */
  plain?: boolean;
  diff: boolean;
  hostCount: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Plain lines when not on a terminal (logs, pipes, CI, -v); on a terminal the task list, one row
 * per host, while the fleet fits on the screen, else the big-fleet display.
 */
export function chooseReporter(choice: ReporterChoice): Reporter {
  const out = choice.json ? process.stderr : process.stdout;
  const env = choice.env ?? process.env;
  const reporterOptions = { out, diff: choice.diff, verbose: Boolean(choice.verbose) };
  const tty = out as NodeJS.WriteStream;
  if (!tty.isTTY || choice.verbose || choice.plain || env.CI) return plainReporter(reporterOptions);
  const size = screenSize(tty);
  // a pty reporting 0 columns (or rows): drawn as 80×24, not one character per line (or nothing)
  if (!(tty.columns > 0)) tty.columns = size.columns;
  if (!(tty.rows > 0)) tty.rows = size.rows;
  // the task list's rows, a check-mode line and the cursor's own row
  return choice.hostCount + 2 < size.rows ? taskListReporter(reporterOptions) : fleetViewReporter(reporterOptions);
}
