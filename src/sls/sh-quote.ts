/**
 * POSIX shell single-quoting: the result is one word whatever the value holds, so a path or a
 * name can never turn into shell syntax on the remote host.
 */
export function shQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
