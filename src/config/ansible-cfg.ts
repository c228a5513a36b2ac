/**
 * ansible.cfg, found and read as Ansible does (config/manager.py find_ini_config_file): the
 * first of $ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg), ./ansible.cfg,
 * ~/.ansible.cfg, /etc/ansible/ansible.cfg. The syntax is Python's configparser as Ansible sets
 * it up: `[section]`, `key = value` or `key: value`, keys case-insensitive, `#` and `;` comment
 * lines, `;` after whitespace starts an inline comment, indented lines continue a value, `%%` is
 * a literal `%`.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface CfgValue {
  value: string;
  /** `file:line`, for messages. */
  where: string;
}

export interface AnsibleCfg {
  file: string;
  sections: Map<string, Map<string, CfgValue>>;
}

/** A line of ansible.cfg that is not configparser syntax: exit 5 naming file and line. */
export class AnsibleCfgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnsibleCfgError';
  }
}

function kind(path: string): 'file' | 'dir' | undefined {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Ansible skips ./ansible.cfg in a world-writable directory (anyone could have put it there). */
function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

export interface FindOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  home?: string;
}

/** The ansible.cfg Ansible would read, or undefined when there is none. */
export function findAnsibleCfg(options: FindOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? homedir();
  const fromEnv = env.ANSIBLE_CONFIG;
  if (fromEnv) {
    const path = resolve(cwd, fromEnv.replace(/^~(?=$|\/)/, home));
    const k = kind(path);
    if (k === 'dir' && kind(join(path, 'ansible.cfg')) === 'file') return join(path, 'ansible.cfg');
    if (k === 'file') return path;
  }
  const candidates = [
    ...(worldWritable(cwd) ? [] : [join(cwd, 'ansible.cfg')]),
    join(home, '.ansible.cfg'),
    '/etc/ansible/ansible.cfg',
  ];
  return candidates.find((c) => kind(c) === 'file');
}

export function parseAnsibleCfg(text: string, file: string): AnsibleCfg {
  const sections = new Map<string, Map<string, CfgValue>>();
  let section: Map<string, CfgValue> | undefined;
  let last: CfgValue | undefined;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const where = `${file}:${i + 1}`;
    const stripped = raw.replace(/(^|\s);.*$/, '').trimEnd();
    if (/^\s*[#;]/.test(raw) || stripped.trim() === '') {
      if (stripped.trim() === '') last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && last) {
      last.value += `\n${stripped.trim()}`;
      continue;
    }
    const header = /^\[([^\]]+)\]$/.exec(stripped.trim());
    if (header) {
      const name = header[1]!.trim();
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      last = undefined;
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped.trim());
    if (!pair) throw new AnsibleCfgError(`${where}: not "key = value" or "[section]"; fix the line`);
    if (!section) throw new AnsibleCfgError(`${where}: a setting before any [section]; put it under [defaults]`);
    last = { value: pair[2]!.replace(/%%/g, '%'), where };
    section.set(pair[1]!.toLowerCase(), last);
  }
  return { file, sections };
}

export function readAnsibleCfg(file: string): AnsibleCfg {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AnsibleCfgError(
      `${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseAnsibleCfg(text, file);
}
