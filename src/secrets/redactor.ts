/**
 * The secrets of one run: registered where they enter (variables, prompts, environment, a config
 * read from a host, a `secret()` written to a file) and masked wherever text leaves the program:
 * task list, recap, JSON, diffs, -v detail, errors. One instance per run is handed down to the
 * runner and the reporters.
 */
import { isSecret, SECRET_MASK } from './secret.ts';
import { isSecretName } from './secret-names.ts';
import { secretSpans } from './secret-spans.ts';

const MASK = SECRET_MASK;

// Words that are YAML's null/booleans or a block scalar's indicator: masking them everywhere
// would break --json and every status line.
const NOT_A_KEY = /^([|>][-+0-9]*|~|null|true|false|yes|no|on|off)$/i;
const isApiKeyName = (name: string) => /(^|_)api_key$/i.test(name);

export class Redactor {
  private readonly values = new Set<string>();

  register(value: unknown): void {
    const text = isSecret(value) ? value.reveal() : value;
    if (typeof text === 'string' && text.length >= 4 && text !== MASK) this.values.add(text);
  }

  /** The values of every secret-named variable (recursively in nested mappings) and every Secret. */
  registerVars(vars: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(vars)) {
      if (isSecretName(name) || isSecret(value)) this.register(value);
      else if (value && typeof value === 'object' && !Array.isArray(value))
        this.registerVars(value as Record<string, unknown>);
    }
  }

  /**
   * Every `api_key` value written in `text` (e.g. a config file read from a host), so a key
   * already on a host is masked wherever it could be printed (`-v`, `--json`, exec output). The
   * value is found by YAML structure (any quoting, tag, anchor, next line, block scalar), and
   * registered both as read and as written in the text (escapes, each line of a block).
   */
  registerApiKeysIn(text: string): void {
    if (!/api_key/i.test(text)) return;
    for (const span of secretSpans(text, isApiKeyName)) {
      const source = text.slice(span.from, span.to);
      const inner = source.replace(/^(["'])([\s\S]*)\1$/, '$2');
      const lines = [source, span.value].flatMap((t) => t.split('\n').map((line) => line.trim()));
      for (const form of new Set([span.value, source, inner, ...lines])) {
        if (!NOT_A_KEY.test(form.trim())) this.register(form);
      }
    }
  }

  /**
   * Masks every registered secret, also as JSON spells it inside a string (a key holding `"`, `\`
   * or a control character is escaped there: `exec -- cat config.json`, or a `--json` document).
   */
  redact(text: string): string {
    let out = text;
    // Longest first, so a secret containing another is masked whole.
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(MASK);
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret) out = out.split(escaped).join(MASK);
    }
    return out;
  }

  /** A copy of `value` with every string redacted and every Secret replaced by the mask. */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (isSecret(value)) return MASK;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redact(k), this.redactValue(v)]));
    }
    return value;
  }

  /** JSON text of `value` with secrets masked before serialising and after. */
  redactedJson(value: unknown, indent?: number): string {
    return this.redact(
      JSON.stringify(
        this.redactValue(value),
        (_key, v: unknown) => (typeof v === 'string' ? this.redact(v) : v),
        indent,
      ),
    );
  }
}
