/** OpenSSH's pattern matching (match.c): `*` any run of characters, `?` exactly one. */

export function matchPattern(text: string, pattern: string): boolean {
  // iterative glob with backtracking on the last `*`
  let t = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * A `Host` line: each whitespace-separated pattern on its own (so `a,b` is one literal
 * pattern, as ssh reads it); a matching negated pattern (`!x`) rules the block out. Case
 * matters here (ssh compares the name as given), unlike in `Match host`.
 */
export function matchHostLine(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (matchPattern(host, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** match_pattern_list: a comma-separated list as in `Match host a,b,!c` (a negation wins), case-insensitive. */
export function matchPatternList(text: string, list: string): boolean {
  let matched = false;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (matchPattern(text.toLowerCase(), pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}
