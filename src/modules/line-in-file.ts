import { isSecret, type Secret } from '../secrets/secret.ts';
import { planOk, resolve } from '../tasks/task.ts';
import type { Host, Param, Task, TaskOptions } from '../tasks/types.ts';
import { fileEdit, type TextEdit } from './file-edit.ts';
import { parseMode, pathFact, type FileMode } from './path-fact.ts';

/** Parameters of `lineInFile`. */
export interface LineInFileParams extends TaskOptions {
  /** The path on the host. */
  path: Param<string>;
  /**
   * The line the file must hold (state present); with state absent, lines equal to it are removed.
   * A Secret is written as it is and masked in every output (diff, -v) from the first read on.
   */
  line?: Param<string | Secret>;
  /**
   * A regular expression (JavaScript syntax, matched against each line without its newline).
   * present: the LAST matching line is replaced by `line`; absent: every matching line is removed.
   */
  regexp?: Param<string | RegExp>;
  /**
   * With `regexp`: `line` may use the match's groups (`$1`, `$<name>`, as String.replace does),
   * and when no line matches the file is left as it is (nothing is added), as Ansible's backrefs.
   */
  backrefs?: boolean;
  /** Default `present`. */
  state?: 'present' | 'absent';
  /**
   * Where a new line goes: after the last line matching this regular expression, or `EOF` (the
   * default). When nothing matches, at the end of the file, as Ansible does.
   */
  insertAfter?: Param<string | RegExp>;
  /** Or before the last line matching this regular expression, or `BOF` (the first line). */
  insertBefore?: Param<string | RegExp>;
  /** Create the file when it does not exist (default false: a missing file fails the task). */
  create?: boolean;
  /** Mode of the written file. Default: the file's own, 0644 for a new file. */
  mode?: Param<FileMode>;
  /** Keep the previous file as `<path>.<timestamp>.bak` (default false). */
  backup?: boolean;
  /** Keys whose values are masked in the diff (`key: value` / `key=value`, e.g. `password`). */
  secretKeys?: readonly string[];
}

const regex = (value: string | RegExp): RegExp =>
  typeof value === 'string' ? new RegExp(value) : new RegExp(value.source, value.flags.replace(/[gy]/g, ''));

function lastIndex(lines: readonly string[], re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (re.test(lines[i]!)) return i;
  return -1;
}

/** `line` with the groups of `re`'s match in `source` put in (`$1`, `$<name>`). */
function expand(source: string, re: RegExp, line: string): string {
  const match = re.exec(source)!;
  return line.replace(/\$(\d+|<[^>]+>|\$)/g, (_match, ref: string) => {
    if (ref === '$') return '$';
    const value = ref.startsWith('<') ? match.groups?.[ref.slice(1, -1)] : match[Number(ref)];
    return value ?? '';
  });
}

/** Splits text into lines, remembering whether it ended with a newline. */
function splitLines(text: string): { lines: string[]; trailingNewline: boolean } {
  if (text === '') return { lines: [], trailingNewline: true };
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, trailingNewline };
}

const joinLines = (lines: readonly string[], trailingNewline: boolean) =>
  lines.length === 0 ? '' : lines.join('\n') + (trailingNewline ? '\n' : '');

/** One lineinfile edit, with Ansible's parameters. */
export interface LineEditSpec {
  /** The line to have (state present). */
  line?: string;
  /** The line to replace or remove: its last match. */
  regexp?: string | RegExp;
  /** Whether the line should be there. */
  state: 'present' | 'absent';
  /** Where a new line goes: after the last match of this (or 'EOF'). */
  insertAfter?: string | RegExp;
  /** Where a new line goes: before the last match of this (or 'BOF'). */
  insertBefore?: string | RegExp;
  /** Expand `regexp`'s groups in `line`; no match leaves the file as it is. */
  backrefs?: boolean;
}

/**
 * Ansible's lineinfile on text (null: no file yet). Pure, so it can be tested on its own; the
 * new text always ends with a newline after a line was added.
 */
export function lineEdit(text: string | null, spec: LineEditSpec, path: string): TextEdit {
  try {
    return editLines(text, spec, path);
  } catch (error) {
    if (error instanceof SyntaxError)
      return {
        ok: false,
        message: `lineInFile ${path}: ${error.message}: fix regexp, insertAfter or insertBefore (JavaScript regular expression syntax)`,
      };
    throw error;
  }
}

function editLines(text: string | null, spec: LineEditSpec, path: string): TextEdit {
  const { lines, trailingNewline } = splitLines(text ?? '');
  const re = spec.regexp === undefined ? undefined : regex(spec.regexp);
  if (spec.state === 'absent') {
    if (re === undefined && spec.line === undefined)
      return { ok: false, message: `lineInFile ${path}: state absent needs regexp or line (which lines to remove)` };
    const kept = lines.filter((l) => !(re?.test(l) || (spec.line !== undefined && l === spec.line)));
    const removed = lines.length - kept.length;
    if (removed === 0) return { ok: true, text: text ?? '', changes: [] };
    return {
      ok: true,
      text: joinLines(kept, trailingNewline),
      changes: [`removed ${removed} line${removed === 1 ? '' : 's'}`],
    };
  }
  const line = spec.line;
  if (line === undefined)
    return { ok: false, message: `lineInFile ${path}: state present needs line (the line the file must hold)` };
  if (line.includes('\n'))
    return {
      ok: false,
      message: `lineInFile ${path}: line must be one line (it holds a newline); use file or fileEdit for blocks`,
    };
  if (spec.backrefs && !re) return { ok: false, message: `lineInFile ${path}: backrefs needs regexp` };
  if (re) {
    const at = lastIndex(lines, re);
    if (at >= 0) {
      const wanted = spec.backrefs ? expand(lines[at]!, re, line) : line;
      if (lines[at] === wanted) return { ok: true, text: text ?? '', changes: [] };
      const next = [...lines];
      next[at] = wanted;
      return { ok: true, text: joinLines(next, trailingNewline), changes: [`replaced line ${at + 1}`] };
    }
    if (spec.backrefs) return { ok: true, text: text ?? '', changes: [] };
  }
  // No line matched the regexp (or none given): a line already equal to `line` is enough.
  if (lines.includes(line)) return { ok: true, text: text ?? '', changes: [] };
  let at = lines.length;
  if (spec.insertBefore !== undefined && spec.insertAfter !== undefined)
    return { ok: false, message: `lineInFile ${path}: give insertAfter or insertBefore, not both` };
  if (spec.insertBefore !== undefined) {
    if (spec.insertBefore === 'BOF') at = 0;
    else {
      const found = lastIndex(lines, regex(spec.insertBefore));
      if (found >= 0) at = found;
    }
  } else if (spec.insertAfter !== undefined && spec.insertAfter !== 'EOF') {
    const found = lastIndex(lines, regex(spec.insertAfter));
    if (found >= 0) at = found + 1;
  }
  const next = [...lines.slice(0, at), line, ...lines.slice(at)];
  // a line added at the end of a file without a final newline gets one, as the file's last line
  const newline = at === lines.length ? true : trailingNewline;
  const where = at === lines.length ? 'at the end' : `at line ${at + 1}`;
  return { ok: true, text: joinLines(next, newline), changes: [`added line ${where}`] };
}

/**
 * One line of a text file, as Ansible's lineinfile: `regexp` replaces the last matching line,
 * else `line` is added (after `insertAfter` / before `insertBefore`, default at the end) unless the
 * file already has it; `state: 'absent'` removes every line matching `regexp` or equal to `line`.
 * The plan reads the file with the playbook's facts; the write is atomic, the diff shows the line.
 */
export function lineInFile(params: LineInFileParams): Task {
  const state = params.state ?? 'present';
  const pathOf = (host: Host) => resolve(params.path, host);
  const lineOf = (host: Host): string | undefined => {
    const line = resolve(params.line, host);
    return isSecret(line) ? line.reveal() : line;
  };
  const maskSecretLine = (host: Host) => {
    const line = resolve(params.line, host);
    if (isSecret(line)) host.registerSecret?.(line);
  };
  const inner = fileEdit(
    {
      ...params,
      create: params.create ?? false,
      backup: params.backup ?? false,
      mode: undefined,
      modeFrom: (current, host) => parseMode(resolve(params.mode, host), pathOf(host)) ?? current ?? 0o644,
      edit: (text, host) =>
        lineEdit(
          text,
          {
            state,
            line: lineOf(host),
            regexp: resolve(params.regexp, host),
            insertAfter: resolve(params.insertAfter, host),
            insertBefore: resolve(params.insertBefore, host),
            backrefs: params.backrefs,
          },
          pathOf(host),
        ),
    },
    'lineInFile',
  );
  const shown = typeof params.path === 'string' ? params.path : '';
  return {
    ...inner,
    name: params.name ?? `lineInFile ${shown}${state === 'absent' ? ' absent' : ''}`.trim(),
    facts(host) {
      maskSecretLine(host); // before the file (holding the line) is first read back
      return inner.facts!(host);
    },
    async plan(ctx) {
      maskSecretLine(ctx);
      if (state === 'absent') {
        // Nothing to remove from a file that is not there: not a failure, and nothing is created.
        const path = pathOf(ctx);
        const { path: now } = await ctx.gather({ path: pathFact(path) });
        if (now.type === 'absent') return planOk(`${path} does not exist: no line to remove`);
      }
      return inner.plan(ctx);
    },
  };
}
