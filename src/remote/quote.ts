import { isSecret } from '../secrets/secret.ts';
import { shellQuote } from '../transport/quote.ts';

// One POSIX quoting function for the whole program (the transport's, which become uses too).
/** Quotes one value as one POSIX shell word (`'it'\''s'`); for whole command lines use `sh`. */
export { shellQuote };

export class SecretOnCommandLineError extends Error {
  constructor(source: string | undefined) {
    super(
      `${source ?? 'a secret'} cannot be put on a command line, where \`ps\` on the host shows it: send it as a file's content or on stdin`,
    );
    this.name = 'SecretOnCommandLineError';
  }
}

function quoteValue(value: unknown): string {
  if (isSecret(value)) throw new SecretOnCommandLineError(value.source);
  if (value instanceof ShellCommand) return value.text;
  if (Array.isArray(value)) return value.map(quoteValue).join(' ');
  if (value === undefined || value === null) return "''";
  if (typeof value === 'object')
    throw new TypeError(`a ${Array.isArray(value) ? 'list' : 'mapping'} cannot be a shell word: give a string`);
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

/** A command line whose values were quoted when it was built (by `sh`); spliced as it is. */
export class ShellCommand {
  /** @param text the command line, every value already quoted. */
  constructor(readonly text: string) {}
  /** The command line (so it can be put in a string). */
  toString(): string {
    return this.text;
  }
}

/** `sh\`systemctl restart ${unit}\``: a command with every interpolated value quoted once. */
export function sh(pieces: TemplateStringsArray, ...values: unknown[]): ShellCommand {
  return new ShellCommand(shellCommand(pieces, values));
}
