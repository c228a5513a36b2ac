import type { JunitOptions } from '../report/junit.ts';
import { resultFileProblem, writeResultFiles, type ResultFiles } from '../report/result-files.ts';
import type { RunDocument, SliceInfo } from '../report/run-document.ts';
import type { RunRecorder } from '../report/timing.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { parseSlice, sliceLabel, takeSlice, type Slice } from '../runner/slice.ts';
import type { HostReport, RunReport } from '../runner/types.ts';
import { summarise } from '../runner/status.ts';
import { CliError, EXIT } from './errors.ts';
import type { RunCliOptions } from './run-options.ts';

/** What `--slice`, `--json-out`, `--junit` and `--html-out` ask of a run, checked before any host is touched. */
export interface RunOutputs {
  slice?: Slice;
  files: ResultFiles;
}

export function readRunOutputs(options: Pick<RunCliOptions, 'slice' | 'jsonOut' | 'junit' | 'htmlOut'>): RunOutputs {
  let slice: Slice | undefined;
  try {
    slice = options.slice === undefined ? undefined : parseSlice(options.slice);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.badOptions);
  }
  const files = { jsonOut: options.jsonOut, junit: options.junit, htmlOut: options.htmlOut };
  const named = [
    ['--json-out', files.jsonOut],
    ['--junit', files.junit],
    ['--html-out', files.htmlOut],
  ] as const;
  for (const [k, [option, path]] of named.entries()) {
    const same = named.slice(k + 1).find(([, other]) => path !== undefined && other === path);
    if (same) throw new CliError(`${option} and ${same[0]} both name ${path}; give two files`, EXIT.badOptions);
  }
  for (const [option, path] of named) {
    const problem = path === undefined ? undefined : resultFileProblem(path, option);
    if (problem) throw new CliError(problem, EXIT.badOptions);
  }
  return { slice, files };
}

/** The targets of this controller's slice (all of them without --slice), and what the document records of it. */
export function sliceTargets(
  targets: HostTarget[],
  slice: Slice | undefined,
): { targets: HostTarget[]; info?: SliceInfo } {
  if (!slice) return { targets };
  const mine = takeSlice(targets, slice, (t) => t.name);
  if (mine.length === 0)
    process.stderr.write(
      `note: slice ${sliceLabel(slice)} holds none of the ${targets.length} selected hosts; nothing to do\n`,
    );
  return { targets: mine, info: { ...slice, selected: targets.map((t) => t.name) } };
}

export function junitOptions(name: string, recorder: RunRecorder): JunitOptions {
  return { name, timestamp: recorder.startedAt, seconds: recorder.seconds(), hostSeconds: recorder.hostSeconds() };
}

/** After a second Ctrl-C: what finished, and every other host as not finished. */
export function partialReport(recorder: RunRecorder): RunReport {
  const hosts: Record<string, HostReport> = {};
  for (const name of recorder.hosts()) {
    hosts[name] = recorder.finished().get(name) ?? {
      status: 'skipped',
      steps: [],
      reason: 'not finished: stopped by a second interrupt',
    };
  }
  return { hosts, summary: summarise(hosts), interrupted: true };
}

/** Writes --json-out, --junit and --html-out; a file that cannot be written is said on stderr, and the run's own status stands. */
export function writeRunOutputs(outputs: RunOutputs, doc: RunDocument, name: string, recorder: RunRecorder): void {
  try {
    writeResultFiles(outputs.files, doc, junitOptions(name, recorder));
  } catch (error) {
    process.stderr.write(`sls-play: could not write the result files: ${(error as Error).message}\n`);
  }
}
