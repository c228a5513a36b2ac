/**
 * Reading one SLS variable as the type it must have. Inventories hold YAML, so a value can be a
 * mapping, a list, a number or a boolean; turning such a value into text with `String()` writes
 * "[object Object]" as an API key (an inline `!vault` value that was not decrypted) and deploys it
 * "successfully". So a value of the wrong type is a user error naming the variable and its type.
 */
import { shlexSplit } from '../inventory/shlex.ts';
import { PlaybookInputError } from '../base/input-error.ts';
import { isSecret } from '../secrets/secret.ts';

/** How a user would call the type of a variable's value. */
export function typeOfValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' || typeof value === 'bigint') return `a number (${String(value)})`;
  if (typeof value === 'boolean') return `a boolean (${String(value)})`;
  return `a ${typeof value}`;
}

// What Ansible prints for a `!vault |` value it could not decrypt; our YAML loader keeps that shape.
const isUndecryptedVault = (value: unknown) =>
  typeof value === 'object' && value !== null && '__ansible_vault' in value;

/**
 * The text of a string variable; undefined when unset or empty. A Secret is revealed here, where
 * the setting is built (it is registered for masking by whoever made it a Secret).
 * `allowNumber` is for values YAML may read as a number although they are text (`5.5`).
 */
export function textVar(
  vars: Record<string, unknown>,
  name: string,
  opts: { allowNumber?: boolean } = {},
): string | undefined {
  const value = vars[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (isSecret(value)) return value.reveal() || undefined;
  if (opts.allowNumber && typeof value === 'number' && Number.isFinite(value)) return String(value);
  const vault = isUndecryptedVault(value)
    ? ' (an inline !vault value that was not decrypted: give the vault password with --vault-password-file, --vault-id or --ask-vault-pass)'
    : '';
  throw new PlaybookInputError(`${name} is ${typeOfValue(value)}, not text${vault}; set it to a string`);
}

const CONTROL_NAMES: Record<number, string> = {
  0: 'NUL',
  8: 'backspace',
  9: 'tab',
  10: 'line feed (newline)',
  11: 'vertical tab',
  12: 'form feed',
  13: 'carriage return',
  27: 'escape',
  127: 'delete',
  133: 'next line',
  8232: 'line separator',
  8233: 'paragraph separator',
};

/** `U+000D carriage return`: how a message names a character without showing the text around it. */
export function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} ${CONTROL_NAMES[code] ?? 'control character'}`;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/**
 * A credential is one line of printable text: a key pasted from a file with Windows line endings
 * carries a CR, and the sensor would silently fail to authenticate. The message names the
 * variable, the character and its position, never the key.
 */
export function checkCredentialText(value: string, name: string): void {
  const match = CONTROL.exec(value);
  if (!match) return;
  const position = [...value.slice(0, match.index)].length + 1;
  throw new PlaybookInputError(
    `${name} contains ${describeChar(match[0])} at character ${position} of ${[...value].length}` +
      `${match[0] === '\r' || match[0] === '\n' ? ' (pasted from a file with its line ending?)' : ''}; remove it and run again`,
  );
}

/** Paths on the host are used as they are, from `/`: a relative one would depend on the login directory. */
export function checkAbsolutePath(value: string, name: string): void {
  if (!value.startsWith('/')) {
    throw new PlaybookInputError(
      `${name} "${value}" is not an absolute path; give the full path from /, e.g. /etc/sophos/runtimedetections.yaml`,
    );
  }
}

/**
 * `sls_exec_prefix` and `sls_restart_command` are shell text by design; an unbalanced quote would
 * swallow the rest of the remote script and fail later with a confusing message, so they must at
 * least read as shell words.
 */
export function checkShellWords(value: string, name: string): void {
  try {
    shlexSplit(value);
  } catch (error) {
    const reason =
      (error as Error).message === 'No escaped character'
        ? 'it ends in a lone backslash'
        : 'it has an unbalanced \' or " quote';
    throw new PlaybookInputError(
      `${name} "${value}" is not valid shell words: ${reason}; quote it as you would in a shell, e.g. docker exec sls`,
    );
  }
}
