/**
 * The modules `sls-play run` can call ad hoc, as `ansible -m` does: `key=value` words turned into
 * the module's parameters, each checked and converted (modes, booleans, numbers).
 */
import { assert } from '../modules/assert.ts';
import { command } from '../modules/command.ts';
import { file } from '../modules/file.ts';
import { service, type ServiceState } from '../modules/service.ts';
import { lineInFile } from '../modules/line-in-file.ts';
import { packageTask } from '../modules/package.ts';
import { waitFor } from '../modules/wait-for.ts';
import type { Task } from '../tasks/types.ts';

type Kind = 'string' | 'boolean' | 'number' | 'mode';

interface AdhocModule {
  /** Parameter names with their kinds; snake_case spellings are accepted too. */
  params: Record<string, Kind>;
  required: string[];
  /** One of these values, where the parameter is a choice. */
  choices?: Record<string, readonly string[]>;
  build(args: Record<string, unknown>): Task;
}

export const ADHOC_MODULES: Record<string, AdhocModule> = {
  file: {
    params: {
      path: 'string',
      content: 'string',
      src: 'string',
      state: 'string',
      mode: 'mode',
      owner: 'string',
      group: 'string',
      backup: 'boolean',
    },
    required: ['path'],
    choices: { state: ['present', 'absent', 'directory'] },
    build: (a) => file(a as unknown as Parameters<typeof file>[0]),
  },
  command: {
    params: { cmd: 'string', creates: 'string', removes: 'string', readOnly: 'boolean', timeout: 'number' },
    required: ['cmd'],
    build: (a) => command(a as unknown as Parameters<typeof command>[0]),
  },
  service: {
    params: { unit: 'string', state: 'string', enabled: 'boolean', waitActive: 'number' },
    required: ['unit'],
    choices: { state: ['started', 'stopped', 'restarted', 'reloaded'] },
    build: (a) => service({ ...(a as { unit: string }), state: a.state as ServiceState | undefined }),
  },
  assert: {
    params: { that: 'string', message: 'string', warnOnly: 'boolean' },
    required: ['that'],
    build: (a) => assert(a as unknown as Parameters<typeof assert>[0]),
  },
  lineinfile: {
    params: {
      path: 'string',
      line: 'string',
      regexp: 'string',
      state: 'string',
      insertAfter: 'string',
      insertBefore: 'string',
      create: 'boolean',
      mode: 'mode',
      backup: 'boolean',
      backrefs: 'boolean',
    },
    required: ['path'],
    choices: { state: ['present', 'absent'] },
    build: (a) => lineInFile(a as unknown as Parameters<typeof lineInFile>[0]),
  },
  package: {
    params: { name: 'string', state: 'string', minVersion: 'string' },
    required: ['name'],
    choices: { state: ['present', 'absent', 'latest'] },
    // several packages at once, as ansible -m package name=a,b
    build: (a) =>
      packageTask({
        ...(a as { name: string }),
        name: String(a.name).split(','),
        state: a.state as 'present' | 'absent' | 'latest' | undefined,
      }),
  },
  wait_for: {
    params: { path: 'string', port: 'number', host: 'string', state: 'string', timeout: 'number' },
    required: ['timeout'],
    choices: { state: ['present', 'absent'] },
    build: (a) => waitFor(a as unknown as Parameters<typeof waitFor>[0]),
  },
};
ADHOC_MODULES.lineInFile = ADHOC_MODULES.lineinfile!;
ADHOC_MODULES.waitFor = ADHOC_MODULES.wait_for!;

/** The modules `run` offers, each once under its Ansible name (the camelCase aliases left out). */
export function adhocModuleNames(): string[] {
  const entries = Object.entries(ADHOC_MODULES);
  return entries.filter(([, module], i) => entries.findIndex(([, m]) => m === module) === i).map(([name]) => name);
}

/** Registers a module for `run` (modules added later use this). */
export function registerAdhocModule(name: string, module: AdhocModule): void {
  ADHOC_MODULES[name] = module;
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function convert(module: string, key: string, kind: Kind, value: string): unknown {
  if (kind === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(value)) return true;
    if (/^(false|no|off|0)$/i.test(value)) return false;
    throw new Error(`${module}: ${key}=${value} is not a boolean (use true or false)`);
  }
  if (kind === 'number') {
    const n = Number(value);
    if (!Number.isFinite(n) || value.trim() === '') throw new Error(`${module}: ${key}=${value} is not a number`);
    return n;
  }
  if (kind === 'mode' && !/^0?[0-7]{3,4}$/.test(value))
    throw new Error(`${module}: ${key}=${value} is not an octal mode such as 0644`);
  return value;
}

/** `run`'s words after the module name to a task; a mistake is an Error naming the word. */
export function adhocTask(name: string, words: string[]): Task {
  const module = ADHOC_MODULES[name] ?? ADHOC_MODULES[name.toLowerCase()];
  if (!module) throw new Error(`no module "${name}"; modules: ${Object.keys(ADHOC_MODULES).sort().join(', ')}`);
  const args: Record<string, unknown> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`${name}: "${word}" is not key=value (e.g. path=/etc/motd)`);
    const key = camel(word.slice(0, eq));
    const kind = module.params[key];
    if (!kind)
      throw new Error(
        `${name}: no parameter "${word.slice(0, eq)}"; parameters: ${Object.keys(module.params).join(', ')}`,
      );
    const value = convert(name, key, kind, word.slice(eq + 1));
    const allowed = module.choices?.[key];
    if (allowed && !allowed.includes(String(value)))
      throw new Error(`${name}: ${key}=${String(value)}; choose one of ${allowed.join(', ')}`);
    args[key] = value;
  }
  const missing = module.required.filter((key) => args[key] === undefined);
  if (missing.length) throw new Error(`${name}: ${missing.map((k) => `${k}=…`).join(' ')} is required`);
  return module.build(args);
}
