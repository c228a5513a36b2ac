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

export function redact(text: string): string {
  let out = text;
  // Longest first, so a secret containing another is masked whole.
  for (const secret of [...values].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
  return out;
}

export const REDACTED = MASK;
