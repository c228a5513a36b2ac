/**
 * The redactor of this process's run, for the places where secrets enter the CLI (variables,
 * prompts, environment) and where text leaves it. The runner and reporters are handed it; these
 * functions are its short names for the CLI's own code.
 */
import { Redactor } from '../secrets/redactor.ts';
import { SECRET_MASK } from '../secrets/secret.ts';

export { isSecretName } from '../secrets/secret-names.ts';

export const runRedactor = new Redactor();

/** Masks this value (a string or a Secret) in every output of the run from now on: the display, diffs, `-v`, JSON, JUnit. */
export const registerSecret = (value: unknown): void => runRedactor.register(value);
export const registerSecretVars = (vars: Record<string, unknown>): void => runRedactor.registerVars(vars);
export const registerApiKeysIn = (text: string): void => runRedactor.registerApiKeysIn(text);
export const redact = (text: string): string => runRedactor.redact(text);
/** For JSON text: redact() covers the JSON-escaped forms, so this is redact under its purpose's name. */
export const redactJson = redact;
export const redactValue = (value: unknown): unknown => runRedactor.redactValue(value);
export const redactedJson = (value: unknown, indent?: number): string => runRedactor.redactedJson(value, indent);

export const REDACTED = SECRET_MASK;
