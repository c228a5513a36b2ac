/**
 * Keeping an operator's YAML looking like their own after an edit through the `yaml` Document
 * API: the Document keeps comments, order and quoting, but re-prints indentation and spacing in
 * its own way. `layoutOptions` copies the file's indentation habits, and `keepOriginalSpelling`
 * puts back every untouched line whose only difference is whitespace (e.g. `key: v   # note`).
 */
import { diffArrays } from 'diff';
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type LineCounter, type ToStringOptions } from 'yaml';

export function layoutOptions(doc: Document, lines: LineCounter): ToStringOptions {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) return;
      const value = pair.value;
      if (!(isMap(value) || isSeq(value)) || value.flow || !value.range || value.items.length === 0) return;
      const keyLine = lines.linePos(pair.key.range[0]);
      const valuePos = lines.linePos(value.range[0]);
      if (valuePos.line === keyLine.line) return;
      const shift = valuePos.col - keyLine.col;
      if (isMap(value) && indent === undefined && shift > 0) indent = shift;
      if (isSeq(value) && indentSeq === undefined) indentSeq = shift > 0;
    },
  });
  return {
    indent: indent ?? 2,
    indentSeq: indentSeq ?? true,
    // Never fold long lines (templates, URLs) and print flow lists as `[a, b]`, as people write them.
    lineWidth: 0,
    flowCollectionPadding: false,
  };
}

const squeeze = (line: string) => line.replace(/\s+/g, '');

const split = (text: string) => text.replace(/\r\n/g, '\n').split('\n');

// `key:   # note` above a block list is printed by yaml as `key:` and `  # note` on the next
// line; where the file had the one-line form, it is put back.
function rejoinKeyComments(before: readonly string[], after: string[]): string[] {
  const had = new Set(before);
  const out: string[] = [];
  for (let i = 0; i < after.length; i++) {
    const line = after[i] ?? '';
    const comment = /^\s*(#.*)$/.exec(after[i + 1] ?? '')?.[1];
    if (comment && /^\s*\S.*:$/.test(line)) {
      const joined = before.find((old) => old.startsWith(line) && /^\s+$/.test(old.slice(line.length, -comment.length)) && old.endsWith(comment));
      if (joined && had.has(joined)) {
        out.push(joined);
        i++;
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

const TRAILING_COMMENT = /^(.*?\S)(\s+)(#.*)$/;
const keyOf = (line: string) => /^\s*(?:- +)?[^\s:#][^:#]*:/.exec(line)?.[0] ?? /^\s*/.exec(line)?.[0] ?? '';

/** A changed line keeps the spacing its old self had before an unchanged trailing comment. */
function keepCommentGaps(removed: readonly string[], added: readonly string[]): string[] {
  const used = new Set<number>();
  return added.map((line) => {
    const mine = TRAILING_COMMENT.exec(line);
    if (!mine) return line;
    const index = removed.findIndex((old, k) => {
      const theirs = TRAILING_COMMENT.exec(old);
      return !used.has(k) && theirs !== null && theirs[3] === mine[3] && keyOf(old) === keyOf(line);
    });
    if (index < 0) return line;
    used.add(index);
    const gap = TRAILING_COMMENT.exec(removed[index] ?? '')?.[2] ?? mine[2];
    return `${mine[1]}${gap}${mine[3]}`;
  });
}

/**
 * Lines of `after` that differ from a line of `before` only in whitespace are replaced by that
 * line, and changed lines keep the spacing before their trailing comment. The caller must check
 * the result still means the same as `after` (a value whose only change is spacing would
 * otherwise be lost).
 */
export function keepOriginalSpelling(before: string, after: string): string {
  const old = split(before);
  const fresh = rejoinKeyComments(old, split(after));
  const parts = diffArrays(old, fresh, { comparator: (a, b) => squeeze(a) === squeeze(b) });
  const out: string[] = [];
  let i = 0; // position in old
  let j = 0; // position in fresh
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    const n = part.value.length;
    if (!part.added && !part.removed) {
      out.push(...old.slice(i, i + n));
      i += n;
      j += n;
      continue;
    }
    const next = parts[k + 1];
    const pairsWithNext = next !== undefined && (part.removed ? next.added : next.removed);
    const removedCount = part.removed ? n : pairsWithNext ? next.value.length : 0;
    const addedCount = part.added ? n : pairsWithNext ? next.value.length : 0;
    out.push(...keepCommentGaps(old.slice(i, i + removedCount), fresh.slice(j, j + addedCount)));
    i += removedCount;
    j += addedCount;
    if (pairsWithNext) k++;
  }
  return out.join('\n');
}

/** True when both texts parse without error to the same data. */
export function sameData(a: string, b: string): boolean {
  const x = parseDocument(a);
  const y = parseDocument(b);
  if (x.errors.length || y.errors.length) return false;
  return JSON.stringify(x.toJS()) === JSON.stringify(y.toJS());
}
