/**
 * Ansible Vault's envelope, formats 1.1 and 1.2 (lib/ansible/parsing/vault/__init__.py,
 * VaultAES256): a header line `$ANSIBLE_VAULT;1.1;AES256` (1.2 adds `;<vault id>`), then the
 * hex of "<salt hex>\n<hmac hex>\n<ciphertext hex>" in lines of 80. The keys come from
 * PBKDF2-HMAC-SHA256 (10000 iterations, 80 bytes: cipher key, HMAC key, counter IV); the
 * HMAC-SHA256 of the ciphertext is checked before AES-256-CTR decrypts it; PKCS#7 padding.
 */
import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';

export interface VaultEnvelope {
  version: string;
  cipher: string;
  /** The vault id of a 1.2 envelope (`prod` in `$ANSIBLE_VAULT;1.2;AES256;prod`). */
  vaultId?: string;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

/** A vault envelope that cannot be read, or a password that does not open it. */
export class VaultFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultFormatError';
  }
}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(VAULT_HEADER);
}

const HEX = /^[0-9a-fA-F]*$/;

function hex(text: string, what: string): Buffer {
  if (!HEX.test(text) || text.length % 2 !== 0)
    throw new VaultFormatError(`the vault's ${what} is not hexadecimal; the file or value is damaged`);
  return Buffer.from(text, 'hex');
}

export function parseEnvelope(text: string): VaultEnvelope {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = (lines.shift() ?? '').split(';');
  if (header[0] !== VAULT_HEADER || header.length < 3)
    throw new VaultFormatError('not an Ansible Vault header ($ANSIBLE_VAULT;1.1;AES256)');
  const [, version, cipher, vaultId] = header as [string, string, string, string | undefined];
  if (version !== '1.1' && version !== '1.2')
    throw new VaultFormatError(`vault format ${version} is not supported (1.1 and 1.2 are)`);
  if (cipher !== 'AES256') throw new VaultFormatError(`vault cipher ${cipher} is not supported (AES256 is)`);
  const inner = hex(lines.join(''), 'body').toString('latin1').split('\n');
  if (inner.length !== 3)
    throw new VaultFormatError("the vault's body is not salt, HMAC and ciphertext; the file or value is damaged");
  return {
    version,
    cipher,
    vaultId: version === '1.2' && vaultId ? vaultId : undefined,
    salt: hex(inner[0]!, 'salt'),
    hmac: hex(inner[1]!, 'HMAC'),
    ciphertext: hex(inner[2]!, 'ciphertext'),
  };
}

/** The plaintext, or undefined when `password` is not this envelope's password. */
export function decryptEnvelope(envelope: VaultEnvelope, password: string | Buffer): Buffer | undefined {
  const derived = pbkdf2Sync(password, envelope.salt, 10000, 80, 'sha256');
  const cipherKey = derived.subarray(0, 32);
  const hmacKey = derived.subarray(32, 64);
  const iv = derived.subarray(64, 80);
  const mac = createHmac('sha256', hmacKey).update(envelope.ciphertext).digest();
  if (mac.length !== envelope.hmac.length || !timingSafeEqual(mac, envelope.hmac)) return undefined;
  const decipher = createDecipheriv('aes-256-ctr', cipherKey, iv);
  const padded = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
  const pad = padded.at(-1) ?? 0;
  if (pad < 1 || pad > 16 || pad > padded.length)
    throw new VaultFormatError("the vault's padding is wrong; the file or value is damaged");
  return padded.subarray(0, padded.length - pad);
}
