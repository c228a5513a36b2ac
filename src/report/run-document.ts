import type { RunReport } from '../runner/types.ts';
import { exitCodeFor } from '../runner/status.ts';
import type { ToolInfo } from '../version.ts';
import type { RunInfo } from './run-timing.ts';

/** Which share of a sliced run a document holds, so `report merge` can check it has them all. */
export interface SliceInfo {
  index: number;
  count: number;
  /** Every host selected before slicing, in inventory order: the merged document's order. */
  selected: string[];
}

/**
 * The `--json` document (cli.md) as written to stdout, `--json-out` and read by `report merge`:
 * the run's report, plus the slice it covers when run with `--slice`, plus the hosts `status
 * --fail-on-drift` found not compliant.
 */
export interface RunDocument extends RunReport {
  slice?: SliceInfo;
  /** host → why it is not compliant (status --fail-on-drift). */
  drift?: Record<string, string>;
  /** The sls-play that wrote the document (written by jsonDocument). */
  tool?: ToolInfo;
  /** The document's layout version (REPORT_FORMAT). */
  format?: number;
  /** Who ran what, and when (src/report/run-timing.ts). */
  run?: RunInfo;
}

/**
 * The exit status of the run a document describes (cli.md): 99 interrupted, 2 a host failed or
 * (with --fail-on-drift) is not compliant, 3 a host unreachable, else 0.
 */
export function documentExitCode(doc: RunDocument): number {
  const code = exitCodeFor(doc.summary, doc.interrupted);
  if (code !== 99 && doc.drift && Object.keys(doc.drift).length > 0) return 2;
  return code;
}
