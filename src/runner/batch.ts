/**
 * A change and the handlers it notifies, sent to the host as ONE command: the change, then each
 * handler only if everything before it exited 0, the owed-handlers record brought up to date after
 * each handler that succeeded. A fresh host then costs two round trips (facts, then this) where
 * it would take one per step. Each part keeps its own timeout (the transport's stages), and a
 * part cut off (a lost host, a timeout) is reported on that part's step.
 */
import { beginLine, fenced, partUnderWay, readFenced } from '../remote/fenced.ts';
import { writeStateFileScript } from '../remote/state-file.ts';
import type { HostSession } from '../tasks/context.ts';
import type { Applied } from '../tasks/types.ts';
import { CommandTimeoutError } from '../transport/types.ts';
import type { BatchPart } from './types.ts';

export type { BatchPart };

/** What became of one part: its answer read, the error that cut it off, or never reached. */
export type PartOutcome = { applied: Applied; code: number } | { error: unknown } | undefined;

const partName = (k: number) => `part${k}`;

/** The one script; `recordAfter[k]` is what the record holds once part k succeeded (undefined: unchanged). */
export function batchScript(
  parts: readonly BatchPart[],
  record?: { dir: string | undefined; file: string; after: ReadonlyArray<string | null | undefined> },
): string {
  const lines = ['rc=0'];
  parts.forEach((part, k) => {
    // only the first part may read the command's stdin (a file's content)
    const body = fenced(partName(k), part.change.remote!.command, { noStdin: k > 0 });
    lines.push(k === 0 ? body : `if [ "$rc" -eq 0 ]; then\n${body}\nfi`);
    const after = record?.after[k];
    // a record that cannot be updated here keeps the handler owed: the next run runs it again
    if (record && after !== undefined)
      lines.push(`if [ "$rc" -eq 0 ]; then ${writeStateFileScript(record.dir, record.file, after)} || true; fi`);
  });
  return lines.join('\n');
}

/** Reads what the parts that ran to their end answered into their outcomes. */
function readAnswers(parts: readonly BatchPart[], outcomes: PartOutcome[], stdout: string, stderr: string): void {
  const answers = readFenced(stdout, stderr);
  parts.forEach((part, k) => {
    const answer = answers.get(partName(k));
    if (answer) outcomes[k] = { applied: part.change.remote!.interpret(answer), code: answer.code };
  });
}

/** A part that ran past its timeout: the module's own words for it, else the task named. */
function timedOut(part: BatchPart, error: CommandTimeoutError): PartOutcome {
  const applied = part.change.remote!.timedOut?.(error) ?? {
    failed: `"${part.task.name}" did not finish within ${error.timeoutMs / 1000} s; raise --task-timeout or look at the host`,
  };
  return { applied, code: 124 };
}

/** Sends the parts and reads back what became of each; `onPartStart` sees each part begin. */
export async function runBatch(
  parts: readonly BatchPart[],
  session: HostSession,
  record: Parameters<typeof batchScript>[1],
  onPartStart: (k: number) => void,
): Promise<PartOutcome[]> {
  const first = parts[0]!.change.remote!;
  const names = parts.map((_, k) => partName(k));
  let seen = '';
  let started = 0;
  const onStdout = (chunk: string) => {
    seen += chunk;
    while (started < parts.length && seen.includes(`${beginLine(names[started]!)}\n`)) onPartStart(started++);
  };
  const outcomes: PartOutcome[] = parts.map(() => undefined);
  try {
    const result = await session.applyContext(parts[0]!.task.become).exec(batchScript(parts, record), {
      ...(first.stdin !== undefined ? { stdin: first.stdin } : {}),
      ...(first.timeoutMs ? { timeoutMs: first.timeoutMs } : {}),
      stages: parts.map((part, k) => ({
        marker: beginLine(names[k]!),
        ...(part.change.remote!.timeoutMs ? { timeoutMs: part.change.remote!.timeoutMs } : {}),
      })),
      onStdout,
    });
    readAnswers(parts, outcomes, result.stdout, result.stderr);
    // the shell itself failed before the first part could answer (a broken script, say)
    if (!outcomes[0])
      outcomes[0] = {
        error: new Error(
          `no answer from the host (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n').pop() ?? ''}`,
        ),
      };
  } catch (error) {
    // what finished before the cut still counts; the part under way takes the error
    readAnswers(parts, outcomes, seen, '');
    const under = partUnderWay(seen, names);
    // cut off before any part began, or between two parts: the first part without an answer,
    // unless one before it failed (then nothing after it was to run)
    const next = outcomes.indexOf(undefined);
    const reached = outcomes
      .slice(0, Math.max(next, 0))
      .every((o) => o !== undefined && 'applied' in o && !o.applied.failed);
    const k = under !== undefined ? names.indexOf(under) : next >= 0 && reached ? next : -1;
    if (k >= 0) outcomes[k] = error instanceof CommandTimeoutError ? timedOut(parts[k]!, error) : { error };
  }
  return outcomes;
}

/** Did every part's exit status say what its answer says (0 exactly when it succeeded)? */
export function statusesAgree(outcomes: readonly PartOutcome[]): boolean {
  return outcomes.every((o) => o === undefined || 'error' in o || (o.code === 0) === !o.applied.failed);
}
