import { shellQuote } from './quote.ts';
import { fenced, readFenced } from './fenced.ts';

/**
 * A fact is a command plus a function that reads its output. Several facts are gathered in ONE
 * remote command (one round trip), each section fenced by marker lines, on stdout and on stderr,
 * that carry its exit code. `parse` may throw: a fact that could not be read is an error with its
 * reason, never an empty value.
 */
export interface Fact<T> {
  /** A read-only command printing what `parse` reads. */
  command: string;
  /** The fact's value from the command's output; throws when it cannot be read. */
  parse(output: string, exitCode: number, stderr: string): T;
}

/** The values a set of facts gives, by name (what `host.facts` holds). */
export type FactValues<F extends Record<string, Fact<unknown>>> = {
  [K in keyof F]: F[K] extends Fact<infer T> ? T : never;
};

/** One fact's raw answer: what its command printed and how it exited. */
export interface RawFact {
  stdout: string;
  stderr: string;
  code: number;
}

/** The one script that runs every command, each in a subshell, fenced on both streams. */
export function gatherScript(commands: Record<string, string | Fact<unknown>>): string {
  return Object.entries(commands)
    .map(([name, fact]) => fenced(name, typeof fact === 'string' ? fact : fact.command))
    .join('\n');
}

/** Splits a gathered run back into each command's answer, exactly as it printed it. */
export function splitGathered(stdout: string, stderr: string, names: readonly string[]): Record<string, RawFact> {
  const answers = readFenced(stdout, stderr);
  const result: Record<string, RawFact> = {};
  for (const name of names) {
    const answer = answers.get(name);
    if (!answer) throw new Error(`reading facts: no answer for "${name}" (the host's shell output was cut short)`);
    result[name] = answer;
  }
  return result;
}

/** Reads the facts out of one gathered run (stderr: the same run's standard error). */
export function parseGathered<F extends Record<string, Fact<unknown>>>(
  stdout: string,
  facts: F,
  stderr = '',
): FactValues<F> {
  const raw = splitGathered(stdout, stderr, Object.keys(facts));
  const out: Record<string, unknown> = {};
  for (const [name, fact] of Object.entries(facts)) out[name] = parseFact(name, fact, raw[name]!);
  return out as FactValues<F>;
}

/** Parses one fact; an error names the fact. */
export function parseFact<T>(name: string, fact: Fact<T>, raw: RawFact): T {
  try {
    return fact.parse(raw.stdout, raw.code, raw.stderr);
  } catch (error) {
    throw new FactError(name, (error as Error).message);
  }
}

export class FactError extends Error {
  constructor(
    readonly fact: string,
    reason: string,
  ) {
    super(`reading ${fact}: ${reason}`);
    this.name = 'FactError';
  }
}

/** A file's content and mode, or null when it does not exist. */
export interface FileState {
  /** The file's text. */
  content: string;
  /** Its permission bits, e.g. 0o644. */
  mode: number;
}

/** A fact: a file's content and mode, or null when there is none. */
export function fileFact(path: string): Fact<FileState | null> {
  const p = shellQuote(path);
  return {
    // The mode line comes first; the content follows verbatim. Anything but a regular file or
    // nothing at all (a directory, an unreadable file) is an error, not an empty file.
    command: `if [ -f ${p} ]; then stat -c '%a' ${p} && cat ${p}; elif [ -e ${p} ]; then echo 'exists and is not a regular file' >&2; exit 3; else echo absent; fi`,
    parse(output, code, stderr) {
      if (code !== 0) throw new Error(`cannot read ${path}: ${stderr.trim().split('\n').pop() || `exit ${code}`}`);
      if (output === 'absent\n') return null;
      const newline = output.indexOf('\n');
      const modeText = newline < 0 ? output : output.slice(0, newline);
      return { mode: parseInt(modeText, 8), content: newline < 0 ? '' : output.slice(newline + 1) };
    },
  };
}

/** A fact whose value is its command's output as printed. */
export function outputFact(command: string): Fact<string> {
  return { command, parse: (output) => output };
}
