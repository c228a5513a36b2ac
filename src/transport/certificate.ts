/**
 * OpenSSH certificates (PROTOCOL.certkeys), read from their wire blob: the key they certify, who
 * for (principals), when (validity window), with which options, and the CA's signature over it.
 * Pure: the checks that use it live in cert-authority.ts (hosts) and user-certificates.ts (users).
 */
import { packedStrings, WireReader, wireString } from './ssh_wire.ts';

const SUFFIX = '-cert-v01@openssh.com';

/** How many wire fields each certified key type carries after the nonce. */
const KEY_FIELDS: Record<string, number> = {
  'ssh-ed25519': 1,
  'ssh-rsa': 2,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
};

export const USER_CERT = 1;
export const HOST_CERT = 2;
/** valid_before of a certificate that never expires. */
export const FOREVER = 0xffff_ffff_ffff_ffffn;

export interface SshCertificate {
  /** `ssh-ed25519-cert-v01@openssh.com` */
  type: string;
  /** The certified key's own type: `ssh-ed25519`. */
  baseType: string;
  /** The certified public key as a plain key blob (what an authorized_keys line would hold). */
  publicKey: Buffer;
  serial: bigint;
  kind: 'user' | 'host' | 'unknown';
  keyId: string;
  principals: string[];
  /** Seconds since the epoch. */
  validAfter: bigint;
  validBefore: bigint;
  criticalOptions: Map<string, Buffer>;
  extensions: string[];
  /** The CA's public key blob. */
  signatureKey: Buffer;
  /** The CA's signature blob (algorithm name and signature). */
  signature: Buffer;
  /** The bytes the CA signed. */
  signed: Buffer;
  /** The whole certificate blob. */
  blob: Buffer;
}

export function isCertificateType(type: string): boolean {
  return type.endsWith(SUFFIX);
}

export function baseTypeOf(type: string): string {
  return isCertificateType(type) ? type.slice(0, -SUFFIX.length) : type;
}

export function certificateTypeOf(baseType: string): string {
  return `${baseType}${SUFFIX}`;
}

function namedData(data: Buffer): Map<string, Buffer> {
  const fields = packedStrings(data);
  const out = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) out.set(fields[i]!.toString('utf8'), fields[i + 1]!);
  return out;
}

/** Parse a certificate blob; an Error says what is wrong with it. */
export function parseCertificate(blob: Buffer): SshCertificate | Error {
  try {
    const reader = new WireReader(blob);
    const type = reader.text();
    const baseType = baseTypeOf(type);
    const fieldCount = KEY_FIELDS[baseType];
    if (!isCertificateType(type) || fieldCount === undefined) return new Error(`unsupported certificate type ${type}`);
    reader.bytes(); // nonce
    const keyStart = reader.position;
    for (let i = 0; i < fieldCount; i++) reader.bytes();
    const publicKey = Buffer.concat([wireString(baseType), blob.subarray(keyStart, reader.position)]);
    const serial = reader.uint64();
    const kindCode = reader.uint32();
    const keyId = reader.text();
    const principals = packedStrings(reader.bytes()).map((p) => p.toString('utf8'));
    const validAfter = reader.uint64();
    const validBefore = reader.uint64();
    const criticalOptions = namedData(reader.bytes());
    const extensions = [...namedData(reader.bytes()).keys()];
    reader.bytes(); // reserved
    const signatureKey = reader.bytes();
    const signedEnd = reader.position;
    const signature = reader.bytes();
    if (!reader.done) return new Error('trailing data after the signature');
    return {
      type,
      baseType,
      publicKey,
      serial,
      kind: kindCode === USER_CERT ? 'user' : kindCode === HOST_CERT ? 'host' : 'unknown',
      keyId,
      principals,
      validAfter,
      validBefore,
      criticalOptions,
      extensions,
      signatureKey,
      signature,
      signed: blob.subarray(0, signedEnd),
      blob,
    };
  } catch (error) {
    return new Error(`malformed certificate (${(error as Error).message})`);
  }
}

/** `type base64 [comment]`, the one-line form of a -cert.pub file. */
export function parseCertificateLine(text: string): SshCertificate | Error {
  const [type, base64] = text.trim().split(/\s+/);
  if (type === undefined || base64 === undefined || !isCertificateType(type))
    return new Error('not an OpenSSH certificate (expected a line "…-cert-v01@openssh.com AAAA…")');
  const parsed = parseCertificate(Buffer.from(base64, 'base64'));
  if (!(parsed instanceof Error) && parsed.type !== type)
    return new Error(`the line names ${type} but holds a ${parsed.type}`);
  return parsed;
}

/** "2020-01-02 00:00 UTC", as the messages show a certificate's bounds. */
export function formatCertTime(seconds: bigint): string {
  if (seconds >= FOREVER) return 'forever';
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Why the certificate is not valid at `now` (seconds), or undefined when it is. */
export function validityProblem(cert: SshCertificate, now: bigint): string | undefined {
  if (now < cert.validAfter) return `is not valid before ${formatCertTime(cert.validAfter)}`;
  if (now >= cert.validBefore) return `expired at ${formatCertTime(cert.validBefore)}`;
  return undefined;
}

export function nowSeconds(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}
