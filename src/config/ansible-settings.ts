/**
 * The settings of ansible.cfg and ANSIBLE_* that sls-play honours, each declared once with its
 * section, key and environment variable (as Ansible's config/base.yml declares them). The
 * environment wins over the file; the command line wins over both (the caller's business).
 */
import { dirname, resolve } from 'node:path';
import type { AnsibleCfg } from './ansible-cfg.ts';

export interface AnsibleSettings {
  /** [defaults] inventory: paths (relative ones from the config file's directory). */
  inventory?: string[];
  remoteUser?: string;
  privateKeyFile?: string;
  hostKeyChecking?: boolean;
  forks?: number;
  /** [defaults] timeout: the SSH connection timeout, in seconds. */
  timeout?: number;
  become?: boolean;
  becomeUser?: string;
  /** [ssh_connection] ssh_args. */
  sshArgs?: string;
  vaultPasswordFile?: string;
  vaultIdentityList?: string[];
  /** Where each setting came from (`ansible.cfg:12` or `ANSIBLE_FORKS`), by setting name. */
  origin: Partial<Record<Exclude<keyof AnsibleSettings, 'origin'>, string>>;
}

type Kind = 'string' | 'path' | 'pathlist' | 'list' | 'bool' | 'int';

const SETTINGS: Array<{
  name: Exclude<keyof AnsibleSettings, 'origin'>;
  section: string;
  key: string;
  env: string;
  kind: Kind;
}> = [
  { name: 'inventory', section: 'defaults', key: 'inventory', env: 'ANSIBLE_INVENTORY', kind: 'pathlist' },
  { name: 'remoteUser', section: 'defaults', key: 'remote_user', env: 'ANSIBLE_REMOTE_USER', kind: 'string' },
  {
    name: 'privateKeyFile',
    section: 'defaults',
    key: 'private_key_file',
    env: 'ANSIBLE_PRIVATE_KEY_FILE',
    kind: 'path',
  },
  {
    name: 'hostKeyChecking',
    section: 'defaults',
    key: 'host_key_checking',
    env: 'ANSIBLE_HOST_KEY_CHECKING',
    kind: 'bool',
  },
  { name: 'forks', section: 'defaults', key: 'forks', env: 'ANSIBLE_FORKS', kind: 'int' },
  { name: 'timeout', section: 'defaults', key: 'timeout', env: 'ANSIBLE_TIMEOUT', kind: 'int' },
  { name: 'become', section: 'privilege_escalation', key: 'become', env: 'ANSIBLE_BECOME', kind: 'bool' },
  {
    name: 'becomeUser',
    section: 'privilege_escalation',
    key: 'become_user',
    env: 'ANSIBLE_BECOME_USER',
    kind: 'string',
  },
  { name: 'sshArgs', section: 'ssh_connection', key: 'ssh_args', env: 'ANSIBLE_SSH_ARGS', kind: 'string' },
  {
    name: 'vaultPasswordFile',
    section: 'defaults',
    key: 'vault_password_file',
    env: 'ANSIBLE_VAULT_PASSWORD_FILE',
    kind: 'path',
  },
  {
    name: 'vaultIdentityList',
    section: 'defaults',
    key: 'vault_identity_list',
    env: 'ANSIBLE_VAULT_IDENTITY_LIST',
    kind: 'list',
  },
];

/** A setting whose value is not of its type: exit 5 naming where it was set. */
export class AnsibleSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnsibleSettingError';
  }
}

/** Ansible's boolean(): yes/on/1/true/y/t and their opposites, any case. */
function bool(value: string, where: string): boolean {
  const v = value.trim().toLowerCase();
  if (['yes', 'on', '1', 'true', 'y', 't'].includes(v)) return true;
  if (['no', 'off', '0', 'false', 'n', 'f', ''].includes(v)) return false;
  throw new AnsibleSettingError(`${where}: "${value}" is not a boolean; use True or False`);
}

function int(value: string, where: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new AnsibleSettingError(`${where}: "${value}" is not a whole number`);
  return Number(value);
}

function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? home + path.slice(1) : path;
}

export function ansibleSettings(
  cfg: AnsibleCfg | undefined,
  env: Record<string, string | undefined>,
  home: string,
): AnsibleSettings {
  const settings: AnsibleSettings = { origin: {} };
  const out = settings as unknown as Record<string, unknown>;
  for (const s of SETTINGS) {
    const fromEnv = env[s.env];
    const fromFile = cfg?.sections.get(s.section)?.get(s.key);
    const raw = fromEnv !== undefined && fromEnv !== '' ? { value: fromEnv, where: s.env } : fromFile;
    if (!raw) continue;
    // Ansible resolves a relative path in the file from the file's directory, one from the environment from here.
    const base = raw.where === s.env ? process.cwd() : dirname(cfg!.file);
    const path = (p: string) => resolve(base, expandHome(p.trim(), home));
    const items = () =>
      raw.value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    switch (s.kind) {
      case 'bool':
        out[s.name] = bool(raw.value, raw.where);
        break;
      case 'int':
        out[s.name] = int(raw.value, raw.where);
        break;
      case 'path':
        out[s.name] = path(raw.value);
        break;
      case 'pathlist':
        out[s.name] = items().map(path);
        break;
      case 'list':
        out[s.name] = items();
        break;
      default:
        out[s.name] = raw.value.trim();
    }
    settings.origin[s.name] = raw.where;
  }
  return settings;
}
