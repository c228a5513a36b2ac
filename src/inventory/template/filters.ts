/**
 * The Jinja/Ansible filters nunjucks lacks or does differently: Ansible's regex_replace (Python
 * regular expressions), and Jinja's int and bool. default/d, lower, upper, replace, trim,
 * string, join, first and last are nunjucks' own, which behave as Jinja's.
 */
import type { Environment } from 'nunjucks';

interface Keywords {
  __keywords?: boolean;
  [name: string]: unknown;
}

function keywords(args: unknown[]): { positional: unknown[]; named: Keywords } {
  const last = args.at(-1) as Keywords | undefined;
  if (last && typeof last === 'object' && last.__keywords) return { positional: args.slice(0, -1), named: last };
  return { positional: args, named: {} };
}

/** A Python `re` pattern as a JavaScript RegExp source: named groups `(?P<n>…)` and `(?P=n)`. */
export function pythonRegex(pattern: string): string {
  return pattern.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
}

/** A Python replacement (`\1`, `\g<1>`, `\g<name>`) as a JavaScript one (`$1`, `$<name>`). */
export function pythonReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c === '$') out += '$$';
    else if (c === '\\' && i + 1 < replacement.length) {
      const rest = replacement.slice(i + 1);
      const group = /^(\d{1,2})/.exec(rest) ?? /^g<(\d+)>/.exec(rest);
      const named = /^g<([A-Za-z_]\w*)>/.exec(rest);
      if (group) {
        out += `$${group[1]}`;
        i += group[0].length;
      } else if (named) {
        out += `$<${named[1]}>`;
        i += named[0].length;
      } else {
        const escaped: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
        out += escaped[rest[0]!] ?? `\\${rest[0]}`;
        i += 1;
      }
    } else out += c;
  }
  return out;
}

export function regexReplace(value: unknown, ...args: unknown[]): string {
  const { positional, named } = keywords(args);
  const pattern = String(positional[0] ?? named.pattern ?? '');
  const replacement = String(positional[1] ?? named.replacement ?? '');
  const flags = `g${named.ignorecase ? 'i' : ''}${named.multiline ? 'm' : ''}`;
  return String(value ?? '').replace(new RegExp(pythonRegex(pattern), flags), pythonReplacement(replacement));
}

/** Jinja's int: a number, or the default (0) when the value is not one. */
export function toInt(value: unknown, ...args: unknown[]): number {
  const { positional, named } = keywords(args);
  const fallback = Number(positional[0] ?? named.default ?? 0);
  const base = Number(positional[1] ?? named.base ?? 10);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Math.trunc(value);
  const text = String(value ?? '')
    .trim()
    .replace(/_/g, '');
  const n = base === 10 && /^[-+]?\d*\.\d+$/.test(text) ? Math.trunc(Number(text)) : parseInt(text, base);
  return Number.isNaN(n) ? fallback : n;
}

/** Ansible's bool: yes/on/1/true (any case) are true. */
export function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return ['yes', 'on', '1', 'true', 'y'].includes(
    String(value ?? '')
      .trim()
      .toLowerCase(),
  );
}

export function addAnsibleFilters(env: Environment): void {
  env.addFilter('regex_replace', regexReplace);
  env.addFilter('int', toInt);
  env.addFilter('bool', toBool);
}
