/**
 * Where vault passwords come from, as Ansible's CLI gathers them (cli/__init__.py
 * build_vault_ids, parsing/vault/__init__.py): `--vault-id [label@]source` (a file, an
 * executable whose stdout is the password, or `prompt`), `--vault-password-file`,
 * `--ask-vault-pass`, and the environment's ANSIBLE_VAULT_IDENTITY_LIST and
 * ANSIBLE_VAULT_PASSWORD_FILE. An executable named `*-client[.ext]` is asked with
 * `--vault-id <label>`, as Ansible's client scripts are.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { VaultKeyring, type VaultSecret } from './keyring.ts';

export interface VaultPasswordOptions {
  vaultIds?: string[];
  vaultPasswordFiles?: string[];
  askVaultPass?: boolean;
  /** Defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/** A vault password source that cannot be used: a usage mistake (exit 5). */
export class VaultPasswordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultPasswordError';
  }
}

export type AskPassword = (question: string) => Promise<string>;

interface Source {
  label: string;
  source: string;
  /** How the user named it, for messages. */
  given: string;
}

/** `label@source` or `source`; a bare `prompt` is a prompt for the default id. */
export function parseVaultId(value: string): { label: string; source: string } {
  const at = value.indexOf('@');
  if (at === -1) return { label: 'default', source: value };
  return { label: value.slice(0, at) || 'default', source: value.slice(at + 1) };
}

function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isClientScript(file: string): boolean {
  return basename(file, extname(file)).endsWith('-client');
}

function fromFile({ label, source, given }: Source): Buffer {
  const file = expandHome(source);
  if (isExecutable(file)) {
    const args = isClientScript(file) ? ['--vault-id', label] : [];
    let stdout: Buffer;
    try {
      stdout = execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    } catch (error) {
      const e = error as { status?: number; stderr?: Buffer };
      const reason = e.status === undefined ? (error as Error).message : `exit status ${e.status}`;
      const stderr = e.stderr?.toString().trim();
      throw new VaultPasswordError(
        `${given}: the vault password script failed (${reason}${stderr ? `: ${stderr.split('\n')[0]}` : ''}); run it by hand to see why`,
      );
    }
    const password = stdout.toString('latin1').replace(/^[\r\n]+|[\r\n]+$/g, '');
    if (!password) throw new VaultPasswordError(`${given}: the vault password script printed no password`);
    return Buffer.from(password, 'latin1');
  }
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    throw new VaultPasswordError(
      `${given}: cannot read the vault password file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); check the path`,
    );
  }
  const password = text.toString('latin1').trim();
  if (!password) throw new VaultPasswordError(`${given}: the vault password file is empty`);
  return Buffer.from(password, 'latin1');
}

/** Every vault password the options and environment give, in Ansible's order. */
export async function loadVaultKeyring(options: VaultPasswordOptions, ask: AskPassword): Promise<VaultKeyring> {
  const env = options.env ?? process.env;
  const sources: Source[] = [];
  const identityList = (env.ANSIBLE_VAULT_IDENTITY_LIST ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const id of [...identityList, ...(options.vaultIds ?? [])]) {
    sources.push({ ...parseVaultId(id), given: `--vault-id ${id}` });
  }
  for (const file of options.vaultPasswordFiles ?? [])
    sources.push({ label: 'default', source: file, given: `--vault-password-file ${file}` });
  if (env.ANSIBLE_VAULT_PASSWORD_FILE) {
    sources.push({
      label: 'default',
      source: env.ANSIBLE_VAULT_PASSWORD_FILE,
      given: `ANSIBLE_VAULT_PASSWORD_FILE=${env.ANSIBLE_VAULT_PASSWORD_FILE}`,
    });
  }
  if (options.askVaultPass && !sources.some((s) => s.source === 'prompt' && s.label === 'default')) {
    sources.push({ label: 'default', source: 'prompt', given: '--ask-vault-pass' });
  }

  const secrets: VaultSecret[] = [];
  for (const s of sources) {
    let password: Buffer;
    if (s.source === 'prompt') {
      let answer: string;
      try {
        answer = await ask(s.label === 'default' ? 'Vault password: ' : `Vault password (${s.label}): `);
      } catch (error) {
        throw new VaultPasswordError(`${s.given}: ${(error as Error).message}`);
      }
      if (!answer.trim()) throw new VaultPasswordError(`${s.given}: an empty vault password was given`);
      password = Buffer.from(answer.trim(), 'utf8');
    } else {
      password = fromFile(s);
    }
    secrets.push({ label: s.label, password, source: s.source === 'prompt' ? 'prompt' : s.source });
  }
  return new VaultKeyring(secrets);
}
