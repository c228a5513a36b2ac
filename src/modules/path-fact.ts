import { shellQuote } from '../remote/quote.ts';
import type { Fact } from '../remote/facts.ts';

/** What is at a path on the host (symlinks followed). */
export type PathState =
  | { type: 'absent' }
  | { type: 'directory' | 'other'; mode: number; owner: string; group: string }
  | { type: 'file'; mode: number; owner: string; group: string; content: string };

/**
 * One command: the type, mode, owner and group of a path, then a regular file's bytes verbatim.
 * A path that cannot be read is an error with the host's reason, never an empty file.
 */
export function pathFact(path: string): Fact<PathState> {
  const p = shellQuote(path);
  return {
    command: `if [ -e ${p} ]; then stat -L -c '%F|%a|%U|%G' -- ${p} && if [ -f ${p} ]; then cat -- ${p}; fi; else echo absent; fi`,
    parse(output, code, stderr) {
      if (code !== 0) throw new Error(`cannot read ${path}: ${stderr.trim().split('\n').pop() || `exit ${code}`}`);
      if (output === 'absent\n') return { type: 'absent' };
      const newline = output.indexOf('\n');
      const [kind = '', mode = '', owner = '', group = ''] = (newline < 0 ? output : output.slice(0, newline)).split(
        '|',
      );
      const base = { mode: parseInt(mode, 8), owner, group };
      if (/^regular/.test(kind))
        return { type: 'file', ...base, content: newline < 0 ? '' : output.slice(newline + 1) };
      return { type: kind === 'directory' ? 'directory' : 'other', ...base };
    },
  };
}

/** One digit of an octal file mode. */
export type OctalDigit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7';

/**
 * A file mode: a number (`0o644`), or octal text as Ansible writes it (`'0644'`, `'644'`,
 * `'4755'`). Anything else (`'u=rw'`, `'rw-r--r--'`) is a compile error.
 */
export type FileMode =
  | number
  | `${OctalDigit}${OctalDigit}${OctalDigit}`
  | `${OctalDigit}${OctalDigit}${OctalDigit}${OctalDigit}`;

/** `0644`, `'0644'`, `'644'`, `'u=rw'` is not supported: octal only, as a number or a string. */
export function parseMode(value: number | string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (!/^0?[0-7]{3,4}$/.test(value)) throw new Error(`${what}: mode "${value}" is not an octal mode such as 0644`);
  return parseInt(value, 8);
}

export const octal = (mode: number) => mode.toString(8).padStart(4, '0');
