/**
 * Secrets are registered where they enter (variables, prompts, environment, a config read from a
 * host) and redacted at every place text leaves the program: task list, recap, JSON, diffs, -v
 * detail, errors.
 */
import { isSecret } from '../secrets/secret.ts';
import { isSecretName } from './secret-names.ts';
import { secretSpans } from './secret-spans.ts';

export { isSecretName };

const MASK = '********';
const values = new Set<string>();

export function registerSecret(value: unknown): void {
  const text = isSecret(value) ? value.reveal() : value;
  if (typeof text === 'string' && text.length >= 4 && text !== MASK) values.add(text);
}

/** Registers the values of every secret-named variable (recursively in nested mappings) and every Secret. */
export function registerSecretVars(vars: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (isSecretName(name) || isSecret(value)) registerSecret(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      registerSecretVars(value as Record<string, unknown>);
    }
  }
}

// Words that are YAML's null/booleans or a block scalar's indicator: masking them everywhere
// would break --json and every status line.
const NOT_A_KEY = /^([|>][-+0-9]*|~|null|true|false|yes|no|on|off)$/i;
const isApiKeyName = (name: string) => /(^|_)api_key$/i.test(name);

/**
 * Registers every `api_key` value written in `text` (e.g. a config file read from a host), so a
 * key already on a host is masked wherever it could be printed (`-v`, `--json`, exec output).
 * The value is found by YAML structure (any quoting, tag, anchor, next line, block scalar), and
 * registered both as read and as written in the text (escapes, each line of a block).
 */
export function registerApiKeysIn(text: string): void {
  if (!/api_key/i.test(text)) return;
  for (const span of secretSpans(text, isApiKeyName)) {
    const source = text.slice(span.from, span.to);
    const inner = source.replace(/^(["'])([\s\S]*)\1$/, '$2');
    const lines = [source, span.value].flatMap((t) => t.split('\n').map((line) => line.trim()));
    for (const form of new Set([span.value, source, inner, ...lines])) {
      if (!NOT_A_KEY.test(form.trim())) registerSecret(form);
    }
  }
}

/**
 * Masks every registered secret, also as JSON spells it inside a string (a key holding `"`, `\`
 * or a control character is escaped there: `exec -- cat config.json`, or a `--json` document).
 */
export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...values].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join(MASK);
  }
  return out;
}

/** For JSON text: redact() covers the JSON-escaped forms, so this is redact under its purpose's name. */
export const redactJson = redact;

/** A copy of `value` with every string redacted and every Secret replaced by the mask. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (isSecret(value)) return MASK;
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactValue(v)]));
  }
  return value;
}

/** JSON text of `value` with secrets masked before serialising and after. */
export function redactedJson(value: unknown, indent?: number): string {
  return redactJson(JSON.stringify(redactValue(value), (_key, v: unknown) => (typeof v === 'string' ? redact(v) : v), indent));
}

export const REDACTED = MASK;
