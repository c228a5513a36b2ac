import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { parseKey } from './ssh2.ts';

/** What OpenSSH tries when no IdentityFile is named, in its order. */
export function defaultKeyFiles(home: string = homedir()): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(home, '.ssh', name));
}

export interface LoadedKeys {
  keys: Array<{ file: string; key: ParsedKey }>;
  /** One line per key file that could not be used, naming the file and why. */
  problems: string[];
}

async function readIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function looksEncrypted(message: string): boolean {
  return /encrypt|passphrase|decrypt/i.test(message);
}

/**
 * Read and decrypt the key files now, before connecting, so a wrong or missing passphrase is
 * reported against the file it belongs to rather than as a vague authentication failure.
 * Named files that are missing are problems; missing default files are simply not there.
 */
export async function loadPrivateKeys(
  namedFiles: string[],
  defaultFiles: string[],
  passphrase?: string,
): Promise<LoadedKeys> {
  const loaded: LoadedKeys = { keys: [], problems: [] };
  const named = new Set(namedFiles);
  for (const file of [...new Set([...namedFiles, ...defaultFiles])]) {
    let data: Buffer | undefined;
    try {
      data = await readIfExists(file);
    } catch (error) {
      loaded.problems.push(`private key ${file} could not be read: ${(error as Error).message}`);
      continue;
    }
    if (data === undefined) {
      if (named.has(file)) loaded.problems.push(`private key ${file} does not exist`);
      continue;
    }
    const plain = parseKey(data);
    if (!(plain instanceof Error)) {
      loaded.keys.push({ file, key: plain });
      continue;
    }
    if (!looksEncrypted(plain.message)) {
      loaded.problems.push(`private key ${file} is not a usable private key (${plain.message})`);
      continue;
    }
    if (passphrase === undefined) {
      loaded.problems.push(
        `private key ${file} is encrypted and no passphrase was given (set SLS_PLAY_KEY_PASSPHRASE or answer the prompt)`,
      );
      continue;
    }
    const decrypted = parseKey(data, passphrase);
    if (decrypted instanceof Error) {
      loaded.problems.push(`private key ${file} could not be decrypted: the passphrase is wrong`);
    } else {
      loaded.keys.push({ file, key: decrypted });
    }
  }
  return loaded;
}

export interface AuthPlan {
  username: string;
  keys: Array<{ file: string; key: ParsedKey }>;
  agentSocket?: string;
  password?: string;
}

/** Names of what will be tried, for the failure message. */
export function describeAuthPlan(plan: AuthPlan): string[] {
  return [
    ...plan.keys.map((k) => `key ${k.file}`),
    ...(plan.agentSocket ? ['ssh-agent'] : []),
    ...(plan.password !== undefined ? ['password'] : []),
  ];
}

/**
 * Keys in order, then the agent, then the password (also offered as keyboard-interactive,
 * which is how many servers ask for it). A method the server does not allow is skipped.
 */
export function authHandler(plan: AuthPlan): AuthHandlerMiddleware {
  const { username, password } = plan;
  const methods: AnyAuthMethod[] = plan.keys.map(({ key }) => ({ type: 'publickey', username, key }));
  if (plan.agentSocket) methods.push({ type: 'agent', username, agent: plan.agentSocket });
  if (password !== undefined) {
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  let index = 0;
  return (authsLeft, _partialSuccess, next) => {
    const finish = next as (method: AnyAuthMethod | false) => void;
    while (index < methods.length) {
      const method = methods[index++]!;
      const serverType = method.type === 'agent' ? 'publickey' : method.type;
      if (!authsLeft || authsLeft.includes(serverType)) return finish(method);
    }
    finish(false);
  };
}
