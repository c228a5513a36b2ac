/**
 * Where the secret values are in a text that may hold YAML (a config file, a diff side, a
 * command's output): the value of every secret-named key (`api_key`, `password`, `*_token`…),
 * whatever its style — quoted, plain with spaces, tagged (`!!str KEY`), anchored (`&a KEY`), on
 * the line after the key, a block scalar, or an `*alias` of a value anchored elsewhere.
 *
 * The YAML parser finds them where the text, or a stretch of it, parses; a pattern over lines is
 * the fallback for stretches that do not (a half-written file, output mixed with other lines).
 */
import { isAlias, isCollection, isPair, isScalar, parseAllDocuments, type Document, type Node } from 'yaml';
import { isSecretName } from './secret-names.ts';

export interface SecretSpan {
  /** Offsets in the text: the value's source, from its first character to its last. */
  from: number;
  to: number;
  /** The value as the program reading the file gets it. */
  value: string;
}

/**
 * Every secret value in `text`, in order, by YAML structure where it parses, by pattern elsewhere.
 * `isKey` chooses the keys whose values count (default: every secret-named key).
 */
export function secretSpans(text: string, isKey: (name: string) => boolean = isSecretName): SecretSpan[] {
  const whole = yamlSpans(text, 0, isKey);
  if (whole) return whole;
  const spans: SecretSpan[] = [];
  for (const [from, to] of segments(text)) {
    const part = text.slice(from, to);
    spans.push(...(yamlSpans(part, from, isKey) ?? patternSpans(part, from, isKey)));
  }
  return spans;
}

// ---- by YAML structure --------------------------------------------------------------------------

const trimEnd = (text: string, from: number, to: number) => {
  let p = to;
  while (p > from && /\s/.test(text[p - 1] ?? '')) p--;
  return p;
};

function yamlSpans(text: string, offset: number, isKey: (name: string) => boolean): SecretSpan[] | null {
  let docs: Document[];
  try {
    docs = parseAllDocuments(text) as Document[];
  } catch {
    return null;
  }
  if (docs.some((doc) => doc.errors.length > 0)) return null;
  const found = new Map<number, SecretSpan>();
  for (const doc of docs) {
    const seen = new Set<unknown>();
    const collect = (node: unknown): void => {
      if (!node || seen.has(node)) return;
      seen.add(node);
      if (isAlias(node)) {
        collect(node.resolve(doc));
        return;
      }
      if (isScalar(node)) {
        const span = scalarSpan(text, node);
        if (span) found.set(span.from + offset, { ...span, from: span.from + offset, to: span.to + offset });
        return;
      }
      if (isCollection(node)) for (const item of node.items) collect(isPair(item) ? item.value : item);
    };
    const walk = (node: unknown, depth: number): void => {
      if (!isCollection(node) || depth > 100) return;
      for (const item of node.items) {
        if (isPair(item)) {
          if (isScalar(item.key) && typeof item.key.value === 'string' && isKey(item.key.value)) collect(item.value);
          walk(item.value, depth + 1);
        } else walk(item, depth + 1);
      }
    };
    walk(doc.contents, 0);
  }
  return [...found.values()].sort((a, b) => a.from - b.from);
}

function scalarSpan(text: string, node: Node): { from: number; to: number; value: string } | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const value = node.value;
  if (value === null || value === undefined || typeof value === 'boolean') return undefined;
  const from = node.range[0];
  const to = trimEnd(text, from, node.range[1]);
  if (to <= from) return undefined;
  return { from, to, value: String(value) };
}

// ---- stretches that may parse on their own ------------------------------------------------------

// A line at the left margin that YAML would not start a mapping, list or comment with, such as
// a command's marker line or a file mode printed before the file: the text is cut there.
const FOREIGN_LINE = /^(?![#\-{["'%&!*|>.\s]|$)(?!.*(?::[ \t]|:$)).*$/;

function segments(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  let pos = 0;
  for (const line of text.split('\n')) {
    const end = pos + line.length + 1;
    if (FOREIGN_LINE.test(line.replace(/\r$/, ''))) {
      if (pos > start) out.push([start, pos]);
      start = end;
    }
    pos = end;
  }
  if (text.length > start) out.push([start, text.length]);
  return out;
}

// ---- by pattern, where nothing parses -----------------------------------------------------------

// Any key; \`isKey\` decides which count.
const KEY = /(?:^|[\s{,])(?:- +)?["']?([\w.-]+)["']?[ \t]*:(?=[ \t]|$|["'])/g;
const PROPS = /^[ \t]*(?:[!&][^\s,{}[\]]*[ \t]+)*/;
const QUOTED = /^(?:"(?:[^"\\\n]|\\.)*"?|'(?:[^'\n]|'')*'?)/;
const BLOCK = /^[|>][-+0-9]*[ \t]*(?:#.*)?$/;
const PLAIN_BLOCK = /^.*?(?=[ \t]+#|[ \t\r]*$)/;
const PLAIN_FLOW = /^.*?(?=[ \t]+#|[ \t]*[,}\]]|[ \t\r]*$)/;

const unquote = (value: string) =>
  value.startsWith('"')
    ? value.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1')
    : value.startsWith("'")
      ? value.replace(/^'|'$/g, '').replace(/''/g, "'")
      : value;

/** The lines after `line` indented deeper than `column` (blank ones in between included). */
function deeperLines(lines: string[], line: number, column: number): number {
  let last = line;
  for (let i = line + 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (!text.trim()) continue;
    if ((/^\s*/.exec(text)?.[0].length ?? 0) <= column) break;
    last = i;
  }
  return last;
}

function patternSpans(text: string, offset: number, isKey: (name: string) => boolean): SecretSpan[] {
  const lines = text.split('\n');
  const starts: number[] = [];
  let pos = 0;
  for (const line of lines) {
    starts.push(pos);
    pos += line.length + 1;
  }
  const spans: SecretSpan[] = [];
  let skipTo = -1;
  lines.forEach((line, i) => {
    if (i <= skipTo) return;
    KEY.lastIndex = 0;
    for (let m = KEY.exec(line); m; m = KEY.exec(line)) {
      if (!isKey(m[1] ?? '')) continue;
      const keyColumn = m.index + m[0].length - m[0].replace(/^[\s{,]?(?:- +)?["']?/, '').length;
      const afterColon = m.index + m[0].length;
      const props = PROPS.exec(line.slice(afterColon))?.[0] ?? '';
      const at = afterColon + props.length;
      const rest = line.slice(at);
      const lineStart = starts[i] ?? 0;
      const inFlow = line.lastIndexOf('{', m.index + 1) > line.lastIndexOf('}', m.index);
      if (BLOCK.test(rest) || /^[ \t]*(#.*)?\r?$/.test(rest)) {
        // a block scalar, or the value on the lines below the key
        const last = deeperLines(lines, i, keyColumn);
        if (last > i) {
          const first = BLOCK.test(rest)
            ? lineStart + at
            : (starts[i + 1] ?? 0) + (/^\s*/.exec(lines[i + 1] ?? '')?.[0].length ?? 0);
          const to = (starts[last] ?? 0) + (lines[last] ?? '').replace(/\r$/, '').length;
          const source = text.slice(first, to);
          const value = source
            .replace(/^[|>][^\n]*\n/, '')
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .join('\n');
          spans.push({ from: offset + first, to: offset + to, value: unquote(value) });
          skipTo = last;
        }
        break;
      }
      const value = (QUOTED.exec(rest) ?? (inFlow ? PLAIN_FLOW : PLAIN_BLOCK).exec(rest))?.[0] ?? '';
      if (!value) continue;
      spans.push({ from: offset + lineStart + at, to: offset + lineStart + at + value.length, value: unquote(value) });
      KEY.lastIndex = Math.max(KEY.lastIndex, at + value.length);
    }
  });
  return spans;
}
