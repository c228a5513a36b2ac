/**
 * The secrets a run asks for once, before any host is touched: the sudo password (-K), the SSH
 * password (-k), and the passphrase of an encrypted private key (asked on a terminal, else read
 * from SLS_PLAY_KEY_PASSPHRASE), each then used for every host, as ssh-agent would.
 */
import { readFileSync } from 'node:fs';
import { registerSecret } from '../report/secrets.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { isEncryptedKeyFile } from '../transport/auth.ts';
import { resolveConnectOptions } from '../transport/index.ts';
import { CliError, EXIT } from './errors.ts';
import { promptSecret } from './prompt.ts';

export const KEY_PASSPHRASE_ENV = 'SLS_PLAY_KEY_PASSPHRASE';

export interface AskedSecrets {
  becomePassword?: string;
  password?: string;
  keyPassphrase?: string;
}

async function ask(question: string): Promise<string> {
  try {
    const answer = await promptSecret(question);
    registerSecret(answer);
    return answer;
  } catch (error) {
    // no terminal to ask on: a usage mistake, reported before any host is touched
    throw new CliError((error as Error).message, EXIT.badOptions);
  }
}

/** A password file, as Ansible reads one: its content without the final newline. */
function readPasswordFile(file: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `${option} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.badOptions,
    );
  }
  const password = text.replace(/\r?\n$/, '');
  registerSecret(password);
  return password;
}

/** The first encrypted key file any of the targets would log in with (looked up as the connection will). */
async function firstEncryptedKey(
  targets: HostTarget[],
  sshConfigFile: string | undefined,
): Promise<string | undefined> {
  const checked = new Set<string>();
  for (const target of targets) {
    const options = resolveConnectOptions(target.name, target.vars, {
      sshConfigFile,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 0,
    });
    if (options.connection === 'local') continue;
    const hops = [...(options.proxyJump ?? []), options];
    for (const file of hops.flatMap((hop) => hop.privateKeyFiles)) {
      if (checked.has(file)) continue;
      checked.add(file);
      if (await isEncryptedKeyFile(file)) return file;
    }
  }
  return undefined;
}

export async function askSecrets(
  options: {
    askBecomePass?: boolean;
    askPass?: boolean;
    connPassFile?: string;
    becomePassFile?: string;
    sshConfig?: string;
  },
  targets: HostTarget[],
): Promise<AskedSecrets> {
  const secrets: AskedSecrets = {};
  if (options.connPassFile) secrets.password = readPasswordFile(options.connPassFile, '--connection-password-file');
  if (options.askPass) secrets.password = await ask('SSH password: ');
  if (options.becomePassFile)
    secrets.becomePassword = readPasswordFile(options.becomePassFile, '--become-password-file');
  if (options.askBecomePass) secrets.becomePassword = await ask('BECOME password: ');
  secrets.keyPassphrase = process.env[KEY_PASSPHRASE_ENV];
  registerSecret(secrets.keyPassphrase);
  if (secrets.keyPassphrase === undefined && process.stdin.isTTY) {
    const file = await firstEncryptedKey(targets, options.sshConfig);
    if (file !== undefined) secrets.keyPassphrase = await ask(`Enter passphrase for key '${file}': `);
  }
  return secrets;
}
