/**
 * Verifying an SSH signature (a CA's over a certificate) with node:crypto: the public key blob
 * becomes a KeyObject through JWK, the signature blob names its algorithm.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { WireReader } from './ssh_wire.ts';

const CURVES: Record<string, { crv: string; hash: string; size: number }> = {
  nistp256: { crv: 'P-256', hash: 'sha256', size: 32 },
  nistp384: { crv: 'P-384', hash: 'sha384', size: 48 },
  nistp521: { crv: 'P-521', hash: 'sha512', size: 66 },
};

/** Signature algorithms OpenSSH accepts from a CA by default (CASignatureAlgorithms): SHA-1 RSA is not one. */
const RSA_HASHES: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' };

const b64url = (data: Buffer) => data.toString('base64url');
const unsigned = (mpint: Buffer) => (mpint[0] === 0 ? mpint.subarray(1) : mpint);

function publicKeyObject(blob: Buffer): { type: string; key: KeyObject } {
  const reader = new WireReader(blob);
  const type = reader.text();
  if (type === 'ssh-ed25519') {
    return {
      type,
      key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(reader.bytes()) }, format: 'jwk' }),
    };
  }
  if (type === 'ssh-rsa') {
    const e = unsigned(reader.bytes());
    const n = unsigned(reader.bytes());
    return { type, key: createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' }) };
  }
  const curve = CURVES[type.replace(/^ecdsa-sha2-/, '')];
  if (type.startsWith('ecdsa-sha2-') && curve) {
    reader.bytes(); // curve name, repeated
    const point = reader.bytes();
    const x = point.subarray(1, 1 + curve.size);
    const y = point.subarray(1 + curve.size);
    return {
      type,
      key: createPublicKey({ key: { kty: 'EC', crv: curve.crv, x: b64url(x), y: b64url(y) }, format: 'jwk' }),
    };
  }
  throw new Error(`unsupported CA key type ${type}`);
}

/** ECDSA's (r, s) as mpints → the fixed-width r‖s node:crypto takes as ieee-p1363. */
function ecdsaSignature(data: Buffer, size: number): Buffer {
  const reader = new WireReader(data);
  const pad = (mpint: Buffer) => {
    const value = unsigned(mpint);
    return Buffer.concat([Buffer.alloc(Math.max(0, size - value.length)), value]);
  };
  return Buffer.concat([pad(reader.bytes()), pad(reader.bytes())]);
}

export type SignatureVerdict = { ok: true; algorithm: string } | { ok: false; why: string };

/** Does `signatureBlob` (string algorithm, string signature) by `keyBlob` sign `data`? */
export function verifySshSignature(keyBlob: Buffer, signatureBlob: Buffer, data: Buffer): SignatureVerdict {
  try {
    const { type, key } = publicKeyObject(keyBlob);
    const reader = new WireReader(signatureBlob);
    const algorithm = reader.text();
    const signature = reader.bytes();
    let ok: boolean;
    if (type === 'ssh-ed25519' && algorithm === 'ssh-ed25519') ok = verify(null, data, key, signature);
    else if (type === 'ssh-rsa' && RSA_HASHES[algorithm]) ok = verify(RSA_HASHES[algorithm]!, data, key, signature);
    else if (type === 'ssh-rsa' && algorithm === 'ssh-rsa')
      return { ok: false, why: 'it is signed with ssh-rsa (SHA-1), which OpenSSH no longer accepts from a CA' };
    else if (type.startsWith('ecdsa-sha2-') && algorithm === type) {
      const curve = CURVES[type.replace(/^ecdsa-sha2-/, '')]!;
      ok = verify(curve.hash, data, { key, dsaEncoding: 'ieee-p1363' }, ecdsaSignature(signature, curve.size));
    } else return { ok: false, why: `its signature algorithm ${algorithm} does not fit the CA key type ${type}` };
    return ok ? { ok: true, algorithm } : { ok: false, why: "the CA's signature on it does not verify" };
  } catch (error) {
    return { ok: false, why: `its CA signature could not be checked (${(error as Error).message})` };
  }
}
