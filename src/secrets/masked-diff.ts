/**
 * Unified diffs of file changes, as `git diff` prints them, with every `api_key` (and other
 * secret-named) value masked on both sides before diffing, so no key can reach the terminal, a log or `--json` through a diff.
 * A change of key alone would vanish once masked; it shows as `api_key: ******** (changed)`.
 */
import { createTwoFilesPatch, diffArrays, FILE_HEADERS_ONLY } from 'diff';
import { secretSpans } from './secret-spans.ts';
import { isSecretName } from './secret-names.ts';
import { SECRET_MASK as REDACTED } from './secret.ts';

interface Masked {
  lines: string[];
  /** The secret values in order of appearance, for telling a changed key from an unchanged one. */
  values: string[];
  /** For each value, the line it starts on. */
  at: number[];
}

/**
 * Every secret-named key's value (secret-spans.ts: by YAML structure, whatever its style) is
 * replaced by the mask, line for line, so the diff's line numbers stay those of the file.
 */
function maskKeys(text: string, isKey: (name: string) => boolean): Masked {
  const values: string[] = [];
  const at: number[] = [];
  let out = '';
  let pos = 0;
  for (const span of secretSpans(text, isKey)) {
    if (span.from < pos) continue;
    out += text.slice(pos, span.from);
    const masked = text
      .slice(span.from, span.to)
      .split('\n')
      .map((line, i) => (i === 0 ? REDACTED : line.trim() ? `${/^\s*/.exec(line)?.[0] ?? ''}${REDACTED}` : line));
    at.push(out.split('\n').length - 1);
    values.push(span.value);
    out += masked.join('\n');
    pos = span.to;
  }
  out += text.slice(pos);
  return { lines: out.split('\n'), values, at };
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
    now.lines[line] = (now.lines[line] ?? '').replace(REDACTED, `${REDACTED} (changed)`);
  }
}

export interface DiffOptions {
  /** Keys whose values are masked besides the secret-named ones (api_key, password, *_token…). */
  secretKeys?: readonly string[];
  /** Also masks every secret this redactor knows, anywhere in the diff. */
  redact?: (text: string) => string;
}

/** `git diff` style paths: `a/etc/…` for `/etc/…`. */
const side = (prefix: 'a' | 'b', path: string) => `${prefix}/${path.replace(/^\/+/, '')}`;

/**
 * The unified diff from `before` (null: the file is new) to `after`, 3 lines of context; empty
 * when nothing differs. Every secret-named value is masked on both sides, and with
 * `options.redact` every registered secret anywhere.
 */
export function unifiedDiff(path: string, before: string | null, after: string, options: DiffOptions = {}): string {
  if (before === after) return '';
  const extra = new Set(options.secretKeys ?? []);
  const isKey = (name: string) => isSecretName(name) || extra.has(name);
  const old = maskKeys(before ?? '', isKey);
  const now = maskKeys(after, isKey);
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
  return /\n@@ /.test(patch) ? (options.redact ?? ((t: string) => t))(patch) : '';
}
