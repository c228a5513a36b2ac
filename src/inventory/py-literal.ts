/**
 * Python's `ast.literal_eval` as Ansible's INI plugin applies it to every value: numbers,
 * quoted strings, True/False/None, lists, tuples and dicts become typed values, and anything
 * literal_eval rejects stays the text it was. Matching it exactly is what makes an INI
 * inventory's variables the same here as under ansible-inventory.
 */

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string; bytes: boolean }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string };

class Reject extends Error {}

const OPS = new Set(['[', ']', '(', ')', '{', '}', ',', ':', '+', '-']);
const ID_START = /[\p{L}_]/u;
const ID_CHAR = /[\p{L}\p{N}_]/u;

/** Returns the typed value, or the text itself when Python would not read it as a literal. */
export function pythonLiteral(text: string): unknown {
  try {
    return evaluate(tokenize(text.replace(/^[ \t]+/, '')));
  } catch (e) {
    if (e instanceof Reject) return text;
    throw e;
  }
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let depth = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      // A bare newline ends the expression; anything after it is a syntax error.
      if (depth === 0 && src.slice(i).trim() !== '' && !/^\s*#/.test(src.slice(i))) throw new Reject();
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const str = /^([rRbBuUfF]{0,2})(['"])/.exec(src.slice(i));
    if (str && isStringPrefix(str[1])) {
      const [tok, next] = readString(src, i + str[1].length, str[1].toLowerCase());
      out.push(tok);
      i = next;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const [value, next] = readNumber(src, i);
      out.push({ kind: 'num', value });
      i = next;
      continue;
    }
    if (ID_START.test(c)) {
      let j = i + 1;
      while (j < src.length && ID_CHAR.test(src[j])) j++;
      out.push({ kind: 'name', value: src.slice(i, j) });
      i = j;
      continue;
    }
    if (OPS.has(c)) {
      if ('[({'.includes(c)) depth++;
      if ('])}'.includes(c)) depth--;
      out.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    throw new Reject();
  }
  return out;
}

function isStringPrefix(p: string): boolean {
  const l = p.toLowerCase();
  return ['', 'r', 'u', 'b', 'br', 'rb', 'f', 'fr', 'rf'].includes(l);
}

function readString(src: string, start: number, prefix: string): [Token, number] {
  // An f-string is an expression, not a literal: literal_eval refuses it.
  if (prefix.includes('f')) throw new Reject();
  const raw = prefix.includes('r');
  const q = src[start];
  const triple = src.startsWith(q.repeat(3), start);
  const close = triple ? q.repeat(3) : q;
  let i = start + close.length;
  let body = '';
  for (;;) {
    if (i >= src.length) throw new Reject();
    if (src.startsWith(close, i)) {
      i += close.length;
      break;
    }
    const c = src[i];
    if (!triple && c === '\n') throw new Reject();
    if (c === '\\') {
      if (i + 1 >= src.length) throw new Reject();
      body += src.slice(i, i + 2);
      i += 2;
      continue;
    }
    body += c;
    i++;
  }
  const bytes = prefix.includes('b');
  return [{ kind: 'str', value: raw ? body : unescapePython(body, bytes), bytes }, i];
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

function unescapePython(body: string, bytes: boolean): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      continue;
    }
    const oct = /^[0-7]{1,3}/.exec(body.slice(i));
    if (oct) {
      out += String.fromCodePoint(parseInt(oct[0], 8));
      i += oct[0].length - 1;
      continue;
    }
    const width = e === 'x' ? 2 : !bytes && e === 'u' ? 4 : !bytes && e === 'U' ? 8 : 0;
    if (width) {
      const hex = body.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new Reject();
      out += String.fromCodePoint(parseInt(hex, 16));
      i += width;
      continue;
    }
    if (!bytes && e === 'N') throw new Reject(); // named escapes need Unicode's name table
    out += `\\${e}`; // Python keeps unknown escapes as they are
  }
  return out;
}

const NUMBER = new RegExp(
  '^(?:' +
    '0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+' +
    '|(?:(?:[0-9](?:_?[0-9])*)?\\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\\.?)(?:[eE][-+]?[0-9](?:_?[0-9])*)?' +
    ')',
);

function readNumber(src: string, start: number): [number, number] {
  const m = NUMBER.exec(src.slice(start));
  if (!m) throw new Reject();
  const text = m[0];
  const end = start + text.length;
  // `1j` is complex and `1abc` a syntax error: neither is a value Ansible can print.
  if (end < src.length && ID_CHAR.test(src[end])) throw new Reject();
  const clean = text.replace(/_/g, '');
  const prefix = clean.slice(0, 2).toLowerCase();
  if (prefix === '0x') return [parseInt(clean.slice(2), 16), end];
  if (prefix === '0o') return [parseInt(clean.slice(2), 8), end];
  if (prefix === '0b') return [parseInt(clean.slice(2), 2), end];
  const isFloat = /[.eE]/.test(clean);
  // Python 3 forbids leading zeros on non-zero decimal integers (`007`).
  if (!isFloat && /^0+[1-9]/.test(clean)) throw new Reject();
  return [Number(clean), end];
}

function evaluate(tokens: Token[]): unknown {
  if (tokens.length === 0) throw new Reject();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isOp = (v: string): boolean => {
    const t = peek();
    return t?.kind === 'op' && t.value === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Reject();
    pos++;
  };

  function atom(): unknown {
    const t = tokens[pos++];
    if (!t) throw new Reject();
    if (t.kind === 'num') return t.value;
    if (t.kind === 'str') {
      let s = t.value;
      // Adjacent string literals concatenate, but str and bytes do not mix.
      while (peek()?.kind === 'str') {
        const n = tokens[pos++] as Extract<Token, { kind: 'str' }>;
        if (n.bytes !== t.bytes) throw new Reject();
        s += n.value;
      }
      return s;
    }
    if (t.kind === 'name') {
      if (t.value === 'True') return true;
      if (t.value === 'False') return false;
      if (t.value === 'None') return null;
      if (t.value === 'set' && isOp('(')) {
        pos++;
        expect(')');
        return [];
      }
      throw new Reject();
    }
    if (t.value === '+' || t.value === '-') {
      const n = tokens[pos++];
      if (n?.kind !== 'num') throw new Reject();
      return t.value === '-' ? -n.value : n.value;
    }
    if (t.value === '[') return sequence(']');
    if (t.value === '(') {
      if (isOp(')')) {
        pos++;
        return [];
      }
      const first = atom();
      if (isOp(')')) {
        pos++;
        return first;
      }
      expect(',');
      return [first, ...sequence(')')];
    }
    if (t.value === '{') return braces();
    throw new Reject();
  }

  function sequence(close: string): unknown[] {
    const items: unknown[] = [];
    while (!isOp(close)) {
      items.push(atom());
      if (isOp(',')) pos++;
      else if (!isOp(close)) throw new Reject();
    }
    pos++;
    return items;
  }

  /** A set literal `{a, b}`, read as a list: its first item is read already. */
  function setOf(first: unknown): unknown[] {
    if (!isOp(',')) {
      expect('}');
      return [first];
    }
    pos++;
    return [first, ...sequence('}')];
  }

  function braces(): unknown {
    if (isOp('}')) {
      pos++;
      return {};
    }
    const first = atom();
    if (!isOp(':')) return setOf(first);
    const out: Record<string, unknown> = {};
    let key = first;
    for (;;) {
      expect(':');
      out[jsonKey(key)] = atom();
      if (isOp(',')) pos++;
      if (isOp('}')) {
        pos++;
        return out;
      }
      key = atom();
    }
  }

  const first = atom();
  if (pos === tokens.length) return first;
  // A bare `1, 2` is a tuple.
  const items = [first];
  while (pos < tokens.length) {
    expect(',');
    if (pos === tokens.length) break;
    items.push(atom());
  }
  return items;
}

/** The key json.dumps writes for a dict key of this value. */
function jsonKey(key: unknown): string {
  if (key === null) return 'null';
  if (typeof key === 'string') return key;
  if (typeof key === 'boolean' || typeof key === 'number') return String(key);
  throw new Reject();
}
