/**
 * `{{ }}` in inventory variables, rendered as Ansible renders them when a variable is used:
 * lazily (a variable is rendered when something asks for it, so order in the files does not
 * matter), recursively (a template may use variables that are templates), with Ansible's magic
 * variables (inventory_hostname, inventory_hostname_short, group_names, groups, hostvars), by
 * nunjucks, a maintained Jinja-compatible engine, plus Ansible's filters (filters.ts).
 *
 * As Ansible 2.x without jinja2_native: a template gives text, except a lone `{{ expr }}` whose
 * value is a list, mapping or boolean, which keeps that type (`{{ groups['web'] }}` is a list).
 */
import nunjucks from 'nunjucks';
import type { Inventory, Vars } from '../types.ts';
import { TemplateError } from './errors.ts';
import { addAnsibleFilters } from './filters.ts';
import { UnsafeText } from './unsafe.ts';
import { UnrenderedValue } from './unrendered.ts';

/** Whether `value` holds a template anywhere (strings at any depth). */
export function hasTemplate(value: unknown): boolean {
  if (value instanceof UnsafeText) return false;
  if (typeof value === 'string') return value.includes('{{') || value.includes('{%');
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(hasTemplate);
  return false;
}

const LONE_EXPRESSION = /^\{\{((?:(?!\{\{|\}\}|\{%|%\}).)*)\}\}$/s;

/**
 * Jinja keeps an unknown escape in a string literal (`'\\d+'` stays backslash-d, as regexes need);
 * nunjucks drops the backslash. Inside `{{ }}` and `{% %}`, such a backslash is doubled first.
 */
export function jinjaEscapes(template: string): string {
  return template.replace(/\{\{.*?\}\}|\{%.*?%\}/gs, (tag) =>
    tag.replace(/\\(.)/gs, (pair, c: string) => (`nrt'"\\`.includes(c) ? pair : `\\${pair}`)),
  );
}

function cleanMessage(message: string): string {
  // nunjucks prefixes "(unknown path) [Line 1, Column 9]\n  "; the template is quoted by the caller
  return message
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/s, '')
    .replace(/^Error:\s*/, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

export class Templar {
  private readonly env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  private readonly rendered = new Map<string, Map<string, unknown>>();
  private readonly compiled = new Map<string, nunjucks.Template>();
  private readonly inProgress: string[] = [];
  /** The host whose variables a template being rendered sees. */
  private readonly scopes: string[] = [];
  private groupMembers: Record<string, string[]> | undefined;
  private captured: unknown;
  /** A variable's own error met while rendering another (nunjucks re-wraps thrown errors). */
  private inner: TemplateError | undefined;
  private undefinedName: string | undefined;

  /** `rawVars` gives a host's merged variables (extra vars on top), unrendered. */
  constructor(
    private readonly inventory: Inventory,
    private readonly rawVars: (host: string) => Vars,
  ) {
    addAnsibleFilters(this.env);
    this.env.addFilter('__sls_native', (value: unknown) => {
      this.captured = value;
      return '';
    });
    const builtins = (this.env as unknown as { globals: Record<string, unknown> }).globals;
    // nunjucks looks a name up in its globals when the (empty) render context lacks it:
    // a proxy there makes every lookup lazy and scoped to the host being rendered.
    (this.env as unknown as { globals: object }).globals = new Proxy(builtins, {
      has: (target, name) => typeof name === 'string' && (this.defined(name) || name in target),
      get: (target, name) =>
        typeof name === 'string' && this.defined(name)
          ? this.lookup(this.scope, name)
          : (target as Record<string | symbol, unknown>)[name],
    });
  }

  private get scope(): string {
    return this.scopes.at(-1)!;
  }

  private defined(name: string): boolean {
    const ok = this.isMagic(name) || Object.hasOwn(this.rawVars(this.scope), name);
    if (!ok && this.undefinedName === undefined) this.undefinedName = name;
    return ok;
  }

  private isMagic(name: string): boolean {
    return ['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups', 'hostvars'].includes(name);
  }

  private groups(): Record<string, string[]> {
    if (!this.groupMembers) {
      const members: Record<string, string[]> = Object.fromEntries(
        [...this.inventory.groups.keys()].map((g) => [g, []]),
      );
      for (const host of this.inventory.hosts.values()) {
        for (const g of host.groups) {
          members[g] ??= [];
          members[g].push(host.name);
        }
      }
      this.groupMembers = members;
    }
    return this.groupMembers;
  }

  private hostvars(): Record<string, unknown> {
    const hostProxy = (host: string) =>
      new Proxy({} as Record<string, unknown>, {
        has: (_, name) => typeof name === 'string' && Object.hasOwn(this.rawVars(host), name),
        get: (_, name) =>
          typeof name === 'string' && Object.hasOwn(this.rawVars(host), name) ? this.variable(host, name) : undefined,
        ownKeys: () => Object.keys(this.rawVars(host)),
      });
    return new Proxy({} as Record<string, unknown>, {
      has: (_, name) => typeof name === 'string' && this.inventory.hosts.has(name),
      get: (_, name) => (typeof name === 'string' && this.inventory.hosts.has(name) ? hostProxy(name) : undefined),
      ownKeys: () => [...this.inventory.hosts.keys()],
    });
  }

  private lookup(host: string, name: string): unknown {
    switch (name) {
      case 'inventory_hostname':
        return host;
      case 'inventory_hostname_short':
        return host.split('.')[0];
      case 'group_names':
        return (this.inventory.hosts.get(host)?.groups ?? []).filter((g) => g !== 'all').sort();
      case 'groups':
        return this.groups();
      case 'hostvars':
        return this.hostvars();
      default:
        return this.variable(host, name);
    }
  }

  /** One variable of one host, rendered (once; later uses share the result). */
  variable(host: string, name: string): unknown {
    let done = this.rendered.get(host);
    if (!done) {
      done = new Map();
      this.rendered.set(host, done);
    }
    if (done.has(name)) return done.get(name);
    if (this.inProgress.length === 0) this.inner = undefined;
    const key = `${host}\0${name}`;
    if (this.inProgress.includes(key)) {
      const chain = [...this.inProgress.slice(this.inProgress.indexOf(key)), key]
        .map((k) => k.split('\0')[1])
        .join(' → ');
      this.inner ??= new TemplateError(
        host,
        name,
        String(this.rawVars(host)[name]),
        `it refers to itself (${chain}); break the loop`,
      );
      throw this.inner;
    }
    this.inProgress.push(key);
    try {
      const value = this.renderValue(host, name, this.rawVars(host)[name]);
      done.set(name, value);
      return value;
    } finally {
      this.inProgress.pop();
    }
  }

  /** Every variable of `host`, rendered. */
  renderHost(host: string): Vars {
    return Object.fromEntries(Object.keys(this.rawVars(host)).map((name) => [name, this.variable(host, name)]));
  }

  /**
   * Every variable of `host`, rendered where it can be; one that cannot is an UnrenderedValue
   * (an error only where it is used, as in Ansible) and its error is in `failures`.
   */
  renderHostLazily(host: string): { vars: Vars; failures: Map<string, TemplateError> } {
    const failures = new Map<string, TemplateError>();
    const vars: Vars = {};
    for (const name of Object.keys(this.rawVars(host))) {
      try {
        vars[name] = this.variable(host, name);
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        failures.set(name, error);
        vars[name] = new UnrenderedValue(error);
      }
    }
    return { vars, failures };
  }

  private renderValue(host: string, name: string, value: unknown): unknown {
    if (value instanceof UnsafeText) return value.text;
    if (typeof value === 'string') return hasTemplate(value) ? this.renderString(host, name, value) : value;
    if (Array.isArray(value)) return value.map((v) => this.renderValue(host, name, v));
    if (
      typeof value === 'object' &&
      value !== null &&
      [Object.prototype, null].includes(Object.getPrototypeOf(value))
    ) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.renderValue(host, name, v)]));
    }
    return value;
  }

  /** Renders with a compiled template kept per source text: a fleet shares its group_vars' templates. */
  private render(source: string): string {
    let compiled = this.compiled.get(source);
    if (!compiled) {
      compiled = new nunjucks.Template(jinjaEscapes(source), this.env, undefined, true);
      this.compiled.set(source, compiled);
    }
    return compiled.render({});
  }

  private renderString(host: string, name: string, template: string): unknown {
    const outerUndefined = this.undefinedName;
    this.scopes.push(host);
    this.undefinedName = undefined;
    try {
      const lone = LONE_EXPRESSION.exec(template);
      let native = false;
      if (lone) {
        this.captured = undefined;
        try {
          this.render(`{{ (${lone[1]}) | __sls_native }}`);
          native = true;
        } catch {
          if (this.inner) throw this.inner;
          // rendered as written below, so the message is about the user's own text
        }
      }
      if (native) {
        const value = this.captured;
        if (value === undefined) throw new Error('attempted to output null or undefined value');
        if (
          Array.isArray(value) ||
          typeof value === 'boolean' ||
          (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype)
        ) {
          return structuredClone(value);
        }
        if (value === null) return '';
        return String(value);
      }
      return this.render(template);
    } catch (error) {
      if (error instanceof TemplateError) throw error;
      if (this.inner) throw this.inner;
      const raw = cleanMessage(error instanceof Error ? error.message : String(error));
      const reason =
        this.undefinedName !== undefined && /undefined|null/.test(raw)
          ? `'${this.undefinedName}' is undefined; define it, or give a default: {{ ${this.undefinedName} | default('…') }}`
          : raw;
      this.inner = new TemplateError(host, name, template, reason);
      throw this.inner;
    } finally {
      this.scopes.pop();
      this.undefinedName = outerUndefined;
    }
  }
}
