/**
 * Unified diffs of file changes, as `git diff` prints them, with every `api_key` value masked on
 * both sides before diffing, so no key can reach the terminal, a log or `--json` through a diff.
 * A change of key alone would vanish once masked; it shows as `api_key: ******** (changed)`.
 */
import { createTwoFilesPatch, diffArrays, FILE_HEADERS_ONLY } from 'diff';
import { redact, REDACTED } from './secrets.ts';

// `api_key:` in any quoting of the key, in a block mapping, a list item or a flow mapping.
const KEY = /(?:^|[\s{,-])["']?api_key["']?[ \t]*:(?:[ \t]+|$|(?=["']))/g;
const QUOTED = /^(?:"(?:[^"\\]|\\.)*"?|'(?:[^']|'')*'?)/;
// Plain values run to a comment (" #") or the line's end; inside `{…}` also to "," or "}".
const PLAIN_BLOCK = /^.*?(?=[ \t]+#|[ \t\r]*$)/;
const PLAIN_FLOW = /^.*?(?=[ \t]+#|[ \t]*[,}\]]|[ \t\r]*$)/;

interface Masked {
  lines: string[];
  /** The api_key values in order of appearance, for telling a changed key from an unchanged one. */
  values: string[];
  /** For each value, the line it is on. */
  at: number[];
}

function maskKeys(text: string): Masked {
  const lines = text.split('\n');
  const values: string[] = [];
  const at: number[] = [];
  let blockIndent = -1; // inside a block scalar (`api_key: |`) deeper than this indentation
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const indent = /^\s*/.exec(line)?.[0].length ?? 0;
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) {
        values[values.length - 1] += `\n${line}`;
        if (line.trim() !== '') lines[i] = `${' '.repeat(indent)}${REDACTED}`;
        continue;
      }
      blockIndent = -1;
    }
    let out = '';
    let pos = 0;
    KEY.lastIndex = 0;
    for (let m = KEY.exec(line); m; m = KEY.exec(line)) {
      const start = m.index + m[0].length;
      const rest = line.slice(start);
      const inFlow = line.lastIndexOf('{', m.index + 1) > line.lastIndexOf('}', m.index);
      const value = (QUOTED.exec(rest) ?? (inFlow ? PLAIN_FLOW : PLAIN_BLOCK).exec(rest))?.[0] ?? '';
      if (/^[|>][-+0-9]*$/.test(value)) blockIndent = indent;
      out += line.slice(pos, start) + (value ? REDACTED : '');
      pos = start + value.length;
      KEY.lastIndex = Math.max(pos, KEY.lastIndex);
      values.push(value);
      at.push(i);
    }
    lines[i] = out + line.slice(pos);
  }
  return { lines, values, at };
}

/**
 * A line that reads the same once masked but whose key differs would not show in the diff; it
 * gets a visible `(changed)` so the reader knows the key was replaced. Lines that changed in
 * other ways, or are new, show anyway and are left as they are.
 */
function markChangedKeys(old: Masked, now: Masked): void {
  const oldLineOf = new Map<number, number>(); // line of `now` -> same line of `old`
  let i = 0;
  let j = 0;
  for (const part of diffArrays(old.lines, now.lines)) {
    const n = part.value.length;
    if (!part.added && !part.removed) for (let k = 0; k < n; k++) oldLineOf.set(j + k, i + k);
    if (!part.added) i += n;
    if (!part.removed) j += n;
  }
  const valuesOn = (masked: Masked, line: number) => masked.values.filter((_, k) => masked.at[k] === line);
  for (const line of new Set(now.at)) {
    const was = oldLineOf.get(line);
    if (was === undefined) continue;
    const before = valuesOn(old, was);
    const after = valuesOn(now, line);
    if (before.length === after.length && before.every((v, k) => v === after[k])) continue;
    now.lines[line] = (now.lines[line] ?? '').replace(/(api_key["']?\s*:[ \t]*)\*{8}/, `$1${REDACTED} (changed)`);
  }
}

/** `git diff` style paths: `a/etc/…` for `/etc/…`. */
const side = (prefix: 'a' | 'b', path: string) => `${prefix}/${path.replace(/^\/+/, '')}`;

/**
 * The unified diff from `before` (null: the file is new) to `after`, 3 lines of context; empty
 * when nothing differs. Also masks every registered secret (secrets.ts).
 */
export function unifiedDiff(path: string, before: string | null, after: string): string {
  if (before === after) return '';
  const old = maskKeys(before ?? '');
  const now = maskKeys(after);
  if (before !== null) markChangedKeys(old, now);
  const patch = createTwoFilesPatch(
    before === null ? '/dev/null' : side('a', path),
    side('b', path),
    old.lines.join('\n'),
    now.lines.join('\n'),
    undefined,
    undefined,
    { context: 3, headerOptions: FILE_HEADERS_ONLY },
  );
  return /\n@@ /.test(patch) ? redact(patch) : '';
}
