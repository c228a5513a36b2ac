/**
 * POSIX shell quoting for the `$` template. zx's `quote` emits bash-only `$'…'` strings, which
 * dash (Debian's /bin/sh, what `sudo sh -c` runs) and busybox ash reject; single quotes work in
 * every POSIX shell.
 */
const SAFE = /^[\w@%+=:,./-]+$/;

export function shellQuote(value: string): string {
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function quoteValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(quoteValue).join(' ');
  if (value === undefined || value === null) return "''";
  return shellQuote(String(value));
}

/** Builds a command line from a tagged template, quoting every interpolated value. */
export function shellCommand(pieces: TemplateStringsArray, values: unknown[]): string {
  let out = pieces[0] ?? '';
  values.forEach((value, i) => {
    out += quoteValue(value) + (pieces[i + 1] ?? '');
  });
  return out;
}
