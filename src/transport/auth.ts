import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
import { certificateMethods, describeCertificates, type CertificatePlan } from './certificate-methods.ts';
import { fileStamp } from './file_stamp.ts';
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
 * ssh2 signs with the key's PEM text, which OpenSSL parses again for every signature (about
 * 1 ms, twenty times the signature itself). Sign with a key object made once instead; a hash
 * ssh2 leaves to the key type (ECDSA) still goes through ssh2's own code.
 */
function signingWithKeyObject(key: ParsedKey): ParsedKey {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(key.getPrivatePEM());
  } catch {
    return key;
  }
  const sign = (data: Buffer, algo?: string): Buffer | Error => {
    const hash = algo ?? (key.type === 'ssh-ed25519' ? null : undefined);
    if (hash === undefined) return key.sign(data);
    try {
      return cryptoSign(hash, data, keyObject);
    } catch (error) {
      return error as Error;
    }
  };
  // ssh2 recognises a parsed key by a symbol on it: the prototype carries that and the rest
  return Object.create(key, { sign: { value: sign } }) as ParsedKey;
}

type KeyFileOutcome = { key: ParsedKey } | { problem: string } | { absent: true };

/** One key file, read, parsed and (with the passphrase) decrypted. */
async function readKeyFile(file: string, passphrase: string | undefined): Promise<KeyFileOutcome> {
  let data: Buffer | undefined;
  try {
    data = await readIfExists(file);
  } catch (error) {
    return { problem: `private key ${file} could not be read: ${(error as Error).message}` };
  }
  if (data === undefined) return { absent: true };
  const plain = parseKey(data);
  if (!(plain instanceof Error)) return { key: signingWithKeyObject(plain) };
  if (!looksEncrypted(plain.message))
    return { problem: `private key ${file} is not a usable private key (${plain.message})` };
  if (passphrase === undefined) {
    return {
      problem: `private key ${file} is encrypted and no passphrase was given (run sls-play on a terminal to be asked for it, or set SLS_PLAY_KEY_PASSPHRASE)`,
    };
  }
  const decrypted = parseKey(data, passphrase);
  if (decrypted instanceof Error)
    return { problem: `private key ${file} could not be decrypted: the passphrase is wrong` };
  return { key: signingWithKeyObject(decrypted) };
}

/** Whether a key file exists and is encrypted (its passphrase is then asked for before any host is touched). */
export async function isEncryptedKeyFile(file: string): Promise<boolean> {
  try {
    const data = await readIfExists(file);
    if (data === undefined) return false;
    const plain = parseKey(data);
    return plain instanceof Error && looksEncrypted(plain.message);
  } catch {
    return false;
  }
}

// Every host of a run logs in with the same few key files: read and parse each once while it is
// unchanged, rather than once per host (a decryption is deliberately slow).
const keyFiles = new Map<string, { stamp: string; passphrase: string | undefined; outcome: Promise<KeyFileOutcome> }>();

function keyFile(file: string, passphrase: string | undefined): Promise<KeyFileOutcome> {
  const stamp = fileStamp(file);
  const hit = keyFiles.get(file);
  if (hit && hit.stamp === stamp && hit.passphrase === passphrase) return hit.outcome;
  const outcome = readKeyFile(file, passphrase);
  keyFiles.set(file, { stamp, passphrase, outcome });
  return outcome;
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
    const outcome = await keyFile(file, passphrase);
    if ('key' in outcome) loaded.keys.push({ file, key: outcome.key });
    else if ('problem' in outcome) loaded.problems.push(outcome.problem);
    else if (named.has(file)) loaded.problems.push(`private key ${file} does not exist`);
  }
  return loaded;
}

export interface AuthPlan {
  username: string;
  keys: Array<{ file: string; key: ParsedKey }>;
  agentSocket?: string;
  password?: string;
  /** User certificates, offered before the plain keys (user-certificates.ts, cert-agent.ts). */
  certificates?: CertificatePlan;
}

/** Names of what will be tried, for the failure message. */
export function describeAuthPlan(plan: AuthPlan): string[] {
  return [
    ...describeCertificates(plan.certificates),
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
  const methods: AnyAuthMethod[] = certificateMethods(plan.certificates, username, plan.agentSocket);
  for (const { key } of plan.keys) methods.push({ type: 'publickey', username, key });
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
