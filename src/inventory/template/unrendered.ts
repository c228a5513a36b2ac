import type { TemplateError } from './errors.ts';

/**
 * A variable whose template could not be rendered, left in place of its value: as in Ansible,
 * that is an error only where it is used. Turning it into text (a shell command, a file, a
 * message) throws the TemplateError that names the variable and the expression.
 */
export class UnrenderedValue {
  // private, so walking a variable's value (to find secrets, say) does not step into it
  readonly #error: TemplateError;

  constructor(error: TemplateError) {
    this.#error = error;
  }

  get error(): TemplateError {
    return this.#error;
  }

  toString(): never {
    throw this.#error;
  }

  toJSON(): never {
    throw this.#error;
  }

  [Symbol.toPrimitive](): never {
    throw this.#error;
  }
}
