/**
 * Secrets are registered where they enter (variables, prompts, environment) and redacted at every
 * place text leaves the program: task list, recap, JSON, diffs, -v detail, errors.
 */
const MASK = '********';
const values = new Set<string>();

/** Names of variables whose values are always secret. */
const SECRET_NAME = /(^|_)(api_key|password|pass|passphrase|token|secret)$/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function registerSecret(value: unknown): void {
  if (typeof value === 'string' && value.length >= 4) values.add(value);
}

/** Registers the values of every secret-named variable (recursively in nested mappings). */
export function registerSecretVars(vars: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (isSecretName(name)) registerSecret(value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      registerSecretVars(value as Record<string, unknown>);
    }
  }
}

// `api_key:` as YAML or JSON writes it (any quoting, block, list item or flow mapping) and its value.
const API_KEY_VALUE = /(?:^|[\s{,-])["']?api_key["']?[ \t]*:[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\n]|'')*)'|([^\s,}\]]+))/gm;

/**
 * Registers every `api_key` value written in `text` (e.g. a config file read from a host), so a
 * key already on a host is masked wherever it could be printed (`-v`, `--json`, exec output).
 */
export function registerApiKeysIn(text: string): void {
  if (!text.includes('api_key')) return;
  for (const m of text.matchAll(API_KEY_VALUE)) {
    const value = m[1] ?? m[2]?.replace(/''/g, "'") ?? m[3];
    // not a block scalar's indicator, nor YAML's null/booleans (masking those would break --json)
    if (value && value !== MASK && !/^([|>][-+0-9]*|~|null|true|false)$/i.test(value)) registerSecret(value);
  }
}

export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...values].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
  return out;
}

export const REDACTED = MASK;
