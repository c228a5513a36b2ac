/**
 * POSIX single-quoting for one shell word. zx's `quote` emits bash's `$'…'` form for some
 * characters, which dash and other POSIX shells (a login shell, `sh -c`) read differently.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
