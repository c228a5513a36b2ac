/**
 * A value tagged `!unsafe` in YAML: Ansible never renders it, so a password containing `{{` or
 * `{%` stays as written. It serialises as ansible-inventory prints it (`{"__ansible_unsafe": …}`);
 * the templar hands it over as a plain string.
 */
export class UnsafeText {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  toJSON(): { __ansible_unsafe: string } {
    return { __ansible_unsafe: this.text };
  }
}

/** `value` with every UnsafeText (at any depth) as its plain text. */
export function withoutUnsafe<T>(value: T): T {
  if (value instanceof UnsafeText) return value.text as T;
  if (Array.isArray(value)) return value.map(withoutUnsafe) as T;
  if (typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutUnsafe(v)])) as T;
  }
  return value;
}
