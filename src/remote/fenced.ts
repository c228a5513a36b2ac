/**
 * Several commands in one remote script (one round trip), each fenced by marker lines on stdout
 * and on stderr that carry its exit status, so each one's answer can be told apart exactly as it
 * printed it. Used to gather facts, and to send a change together with the handlers it notifies.
 */
const MARK = '__sls_play_fact__';

/** The line that opens a part's output on stdout (a staged command's stage marker). */
export const beginLine = (name: string) => `${MARK} begin ${name}`;

/** One command, in a subshell, fenced on both streams; `$rc` holds its exit status afterwards. */
export function fenced(name: string, command: string, options: { noStdin?: boolean } = {}): string {
  const begin = `printf '%s\\n' '${beginLine(name)}'`;
  const end = `printf '\\n${MARK} end ${name} %s\\n' "$rc"`;
  return `${begin}; ${begin} >&2; ( ${command}\n)${options.noStdin ? ' </dev/null' : ''}; rc=$?; ${end}; ${end} >&2`;
}

function sections(text: string): Map<string, { body: string; code: number }> {
  const out = new Map<string, { body: string; code: number }>();
  const section = new RegExp(`^${MARK} begin (\\S+)\\n([\\s\\S]*?)\\n${MARK} end \\1 (\\d+)$`, 'gm');
  for (const match of text.matchAll(section)) out.set(match[1]!, { body: match[2]!, code: Number(match[3]) });
  return out;
}

/** One part's raw answer: what its command printed and how it exited. */
export interface FencedAnswer {
  stdout: string;
  stderr: string;
  code: number;
}

/** The answers of the parts that ran to their end, by name. */
export function readFenced(stdout: string, stderr: string): Map<string, FencedAnswer> {
  const outs = sections(stdout);
  const errs = sections(stderr);
  const answers = new Map<string, FencedAnswer>();
  for (const [name, out] of outs)
    answers.set(name, { stdout: out.body, stderr: errs.get(name)?.body ?? '', code: out.code });
  return answers;
}

/** The part whose output began but did not end (it was running when the command was cut off). */
export function partUnderWay(stdout: string, names: readonly string[]): string | undefined {
  const ended = sections(stdout);
  return [...names].reverse().find((name) => stdout.includes(`${beginLine(name)}\n`) && !ended.has(name));
}
