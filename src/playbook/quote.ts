import { shellQuote } from '../transport/quote.ts';

// One POSIX quoting function for the whole program (the transport's, which become uses too).
export { shellQuote };

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
