import { inspect } from 'node:util';

const MASK = '********';

/**
 * A value that must never be printed or put on a command line (an API key, a password). It is
 * marked where it enters (variables, prompts, environment) and travels as this type: printing,
 * serialising or interpolating it gives the mask; only `reveal()` gives the text, and only code
 * that writes it where it belongs (a file's content over stdin, sudo's prompt) calls it.
 */
export class Secret {
  readonly #value: string;
  /** The variable or source it came from, for messages ("sls_api_key"). */
  readonly source: string | undefined;

  /** @param value the secret text. @param source where it came from, for messages. */
  constructor(value: string, source?: string) {
    this.#value = value;
    this.source = source;
  }

  /** The text itself: only for writing it where it belongs (a file's content, stdin). */
  reveal(): string {
    return this.#value;
  }

  /** The mask, `********`. */
  toString(): string {
    return MASK;
  }

  /** The mask, `********`. */
  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

export const SECRET_MASK = MASK;

/** Marks a value as secret: it prints as `********` and `sh` refuses to put it on a command line; `file` content and `stdin` take it. */
export function secret(value: string, source?: string): Secret {
  return new Secret(value, source);
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/** The text of a value that may be a Secret (for code that writes it where it belongs). */
export function revealed(value: string | Secret): string {
  return isSecret(value) ? value.reveal() : value;
}
