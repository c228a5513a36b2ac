/**
 * An OpenSSH client config as lines (readconf.c): `Keyword args` or `Keyword=args`, keywords
 * case-insensitive, `#` comments, double- or single-quoted arguments. `Include` is resolved by
 * the evaluator, which knows whether the including block applies.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { matchPattern } from './ssh_config_match.ts';

export interface ConfigLine {
  keyword: string;
  args: string[];
  /** The rest of the line as written (quotes and all): ProxyCommand takes it whole, as ssh does. */
  raw: string;
  file: string;
  line: number;
}

/** Splits arguments as ssh's argv_split does: whitespace, quotes, backslash, `#` ends the line. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && (text[i + 1] === quote || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) args.push(word);
  return args;
}

export function parseConfigLines(text: string, file: string): ConfigLine[] {
  const lines: ConfigLine[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([^\s=]+)(?:\s*=\s*|\s+|$)(.*)$/.exec(trimmed);
    if (!m) continue;
    lines.push({ keyword: m[1]!.toLowerCase(), args: splitArgs(m[2]!), raw: m[2]!, file, line: i + 1 });
  }
  return lines;
}

const cache = new Map<string, { stamp: string; lines: ConfigLine[] }>();

/** The lines of a config file (cached while it is unchanged); a missing file has none. */
export function readConfigFile(file: string): ConfigLine[] {
  let stamp: string;
  try {
    // every host's lookup comes here: no error object for the usual missing ~/.ssh/config
    const s = statSync(file, { throwIfNoEntry: false });
    if (!s?.isFile()) return [];
    stamp = `${s.mtimeMs}:${s.size}`;
  } catch {
    return [];
  }
  const hit = cache.get(file);
  if (hit?.stamp === stamp) return hit.lines;
  const lines = parseConfigLines(readFileSync(file, 'utf8'), file);
  cache.set(file, { stamp, lines });
  return lines;
}

function hasMagic(part: string): boolean {
  return /[*?[]/.test(part);
}

/** glob(3) for Include: wildcards in any path component, results sorted, hidden files only when asked. */
export function globPaths(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasMagic(part)) {
        next.push(join(base, part));
        continue;
      }
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      const re = new RegExp(
        `^${part
          .replace(/[.+^${}()|\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      for (const name of names.sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(name) || matchPattern(name, part)) next.push(join(base, name));
      }
    }
    bases = next;
  }
  return bases
    .filter((p) => {
      try {
        statSync(p);
        return true;
      } catch {
        return false;
      }
    })
    .sort();
}

/**
 * An Include argument as a path: `~` expanded, a relative one from ~/.ssh (the user's config
 * directory) or, in the system-wide file, from its own directory (/etc/ssh).
 */
export function includePath(arg: string, home: string, systemDir?: string): string {
  const expanded = arg === '~' ? home : arg.startsWith('~/') ? home + arg.slice(1) : arg;
  return isAbsolute(expanded) ? expanded : join(systemDir ?? join(home, '.ssh'), expanded);
}
