/**
 * SSH certificates over ssh2, which has none (its issue #551). Three small overrides of ssh2's
 * internals, installed once, when ssh2 is first loaded (ssh2.ts), from our own code:
 *
 * 1. User certificates. ssh2's `Protocol.authPK` names the key's type both as the request's
 *    algorithm and as the signature's; for a certificate the request must name the certificate
 *    algorithm (`ssh-ed25519-cert-v01@openssh.com`, `rsa-sha2-512-cert-v01@openssh.com`) and the
 *    signature the base one (`ssh-ed25519`, `rsa-sha2-512`), as OpenSSH does (sshkey.c
 *    sshkey_sigalg_by_name). For certificate keys only, authPK is replaced by one that does so;
 *    every other key still goes through ssh2's own.
 * 2. Host certificates. The certificate algorithms are added to what ssh2 accepts in
 *    `algorithms.serverHostKey`; ssh2 parses the host key of the key exchange with
 *    `parseDERKey`, which is taught to read a certificate's key; and once our verifier has
 *    accepted a certificate, the negotiated algorithm is set to the base one, which is the name
 *    the server's exchange-hash signature carries. For RSA (`rsa-sha2-512-cert-v01`), whose
 *    blob says `ssh-rsa-cert-v01`, the negotiated name is set to the blob's as each key
 *    exchange starts, since ssh2 compares the two before anything else can run.
 * 3. The server's `server-sig-algs` is remembered per connection, to pick an RSA certificate's
 *    algorithm as OpenSSH does.
 *
 * Why an override at run time rather than a patched copy: a postinstall patch does not reach
 * users who install with scripts off (npm --ignore-scripts, pnpm's default), and a vendored fork
 * of ssh2 would stop following its fixes. The override depends on a handful of internals, so it
 * installs only on the ssh2 versions it was checked against and with the shapes it expects
 * (`ssh2Shape()`); a unit test fails when ssh2 changes, and at run time a different ssh2 leaves
 * certificates off with a message that says so, never half-working.
 */
import type { createRequire } from 'node:module';
import { baseTypeOf, isCertificateType } from './certificate.ts';
import { keyTypeOfBlob } from './known_hosts.ts';
import { wireString } from './ssh_wire.ts';

type Require = ReturnType<typeof createRequire>;
type SignCallback = (data: Buffer, done: (signature: Buffer) => void) => void;

/** The ssh2 versions whose internals this file was checked against. */
export const CHECKED_SSH2_VERSIONS = /^1\.17\./;

export const CERTIFICATE_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
];

/** The RSA certificate algorithms: the blob's type, and the signature's name for each. */
const RSA_CERT_SIGNATURES: Record<string, string> = {
  'rsa-sha2-512-cert-v01@openssh.com': 'rsa-sha2-512',
  'rsa-sha2-256-cert-v01@openssh.com': 'rsa-sha2-256',
};

interface KexInternals {
  sessionID: Buffer;
  negotiated?: { serverHostKey?: string };
}

interface ProtocolInternals {
  _kex?: KexInternals;
  _packetRW: { write: { alloc(size: number): Buffer; allocStart: number; finalize(packet: Buffer): Buffer } };
  _authsQueue: string[];
  _hostVerifier?: (key: Buffer, verify: (ok: boolean) => void) => unknown;
  _handlers?: { EXT_INFO?: (self: unknown, exts: Array<{ name: string; algs?: string[] }>) => void };
}

interface Ssh2Internals {
  version: string;
  Protocol: { prototype: { authPK: (...args: unknown[]) => unknown } };
  utils: {
    sendPacket(proto: ProtocolInternals, packet: Buffer): void;
    convertSignature(signature: Buffer, keyType: string): Buffer | false;
  };
  keyParser: { parseDERKey: (data: Buffer, type: string) => unknown; parseKey: (key: unknown) => unknown };
  constants: { SUPPORTED_SERVER_HOST_KEY: string[] };
}

/** A certificate key as our auth code hands it to ssh2: the hash to sign with is chosen per attempt. */
export interface CertificateSigning {
  /** Set by authPK just before signing: the hash for the algorithm named (null: the key type decides). */
  signHash?: string | null;
}

function readInternals(require: Require): Ssh2Internals {
  return {
    version: (require('ssh2/package.json') as { version: string }).version,
    Protocol: require('ssh2/lib/protocol/Protocol.js') as Ssh2Internals['Protocol'],
    utils: require('ssh2/lib/protocol/utils.js') as Ssh2Internals['utils'],
    keyParser: require('ssh2/lib/protocol/keyParser.js') as Ssh2Internals['keyParser'],
    constants: require('ssh2/lib/protocol/constants.js') as Ssh2Internals['constants'],
  };
}

/** What is wrong with the installed ssh2 for these overrides, or undefined when it fits. */
export function ssh2Shape(require: Require): string | undefined {
  let internals: Ssh2Internals;
  try {
    internals = readInternals(require);
  } catch (error) {
    return `its internal modules could not be loaded (${(error as Error).message})`;
  }
  const { version, Protocol, utils, keyParser, constants } = internals;
  if (!CHECKED_SSH2_VERSIONS.test(version)) return `ssh2 ${version} is not a version this support was checked against`;
  const authPK = Protocol?.prototype?.authPK;
  if (typeof authPK !== 'function' || authPK.length !== 4) return 'Protocol.authPK is not the expected method';
  const source = authPK.toString();
  for (const needle of ['this._kex.sessionID', 'this._packetRW.write.alloc', "this._authsQueue.push('publickey')"]) {
    if (!source.includes(needle)) return `Protocol.authPK no longer uses ${needle}`;
  }
  if (typeof utils?.sendPacket !== 'function' || typeof utils.convertSignature !== 'function')
    return 'protocol/utils.js lacks sendPacket or convertSignature';
  if (typeof keyParser?.parseDERKey !== 'function') return 'keyParser.parseDERKey is missing';
  if (!Array.isArray(constants?.SUPPORTED_SERVER_HOST_KEY)) return 'constants.SUPPORTED_SERVER_HOST_KEY is missing';
  return undefined;
}

// server-sig-algs as each connection's server sent it (EXT_INFO), for RSA certificates
const serverSigAlgs = new WeakMap<object, string[]>();

/** The request's algorithm, the signature's, and the hash, for a certificate of `baseType`. */
export function certificateAlgorithms(
  baseType: string,
  sigAlgs: readonly string[] | undefined,
): { request: string; signature: string; hash: string | null } {
  if (baseType === 'ssh-rsa') {
    // sshconnect2.c key_sig_algorithm: the first SHA-2 algorithm the server allows (its list
    // names the plain algorithms); without a list, the oldest
    const chosen = ['rsa-sha2-512', 'rsa-sha2-256'].find((a) => sigAlgs === undefined || sigAlgs.includes(a));
    if (chosen) return { request: `${chosen}-cert-v01@openssh.com`, signature: chosen, hash: `sha${chosen.slice(-3)}` };
    return { request: 'ssh-rsa-cert-v01@openssh.com', signature: 'ssh-rsa', hash: 'sha1' };
  }
  return { request: `${baseType}-cert-v01@openssh.com`, signature: baseType, hash: null };
}

function signedCertificateRequest(
  proto: ProtocolInternals,
  internals: Ssh2Internals,
  username: string,
  blob: Buffer,
  algorithms: { request: string; signature: string },
  baseType: string,
  cbSign: SignCallback,
): void {
  const sessionID = proto._kex!.sessionID;
  const request = Buffer.concat([
    Buffer.from([50]), // SSH_MSG_USERAUTH_REQUEST
    wireString(username),
    wireString('ssh-connection'),
    wireString('publickey'),
    Buffer.from([1]),
    wireString(algorithms.request),
    wireString(blob),
  ]);
  cbSign(Buffer.concat([wireString(sessionID), request]), (signature) => {
    const converted = internals.utils.convertSignature(signature, baseType);
    if (converted === false) throw new Error('Error while converting handshake signature');
    const body = Buffer.concat([
      request,
      wireString(Buffer.concat([wireString(algorithms.signature), wireString(converted)])),
    ]);
    const writer = proto._packetRW.write;
    const packet = writer.alloc(body.length);
    packet.set(body, writer.allocStart);
    proto._authsQueue.push('publickey');
    internals.utils.sendPacket(proto, writer.finalize(packet));
  });
}

function overrideAuthPK(internals: Ssh2Internals): void {
  const original = internals.Protocol.prototype.authPK;
  internals.Protocol.prototype.authPK = function authPK(
    this: ProtocolInternals,
    username: unknown,
    pubKey: unknown,
    keyAlgo: unknown,
    cbSign: unknown,
  ) {
    const key = internals.keyParser.parseKey(pubKey) as {
      type?: string;
      getPublicSSH?: () => Buffer;
    } & CertificateSigning;
    if (key instanceof Error || typeof key.type !== 'string' || !isCertificateType(key.type))
      return original.call(this, username, pubKey, keyAlgo, cbSign);
    const sign = (typeof keyAlgo === 'function' ? keyAlgo : cbSign) as SignCallback | undefined;
    const baseType = baseTypeOf(key.type);
    const algorithms = certificateAlgorithms(baseType, serverSigAlgs.get(this));
    key.signHash = algorithms.hash;
    if (sign === undefined) return original.call(this, username, pubKey, algorithms.request);
    signedCertificateRequest(this, internals, String(username), key.getPublicSSH!(), algorithms, baseType, sign);
  };
}

/** parseDERKey reads a certificate host key as the key it certifies (the nonce comes first). */
function teachParseDERKey(keyParser: Ssh2Internals['keyParser']): void {
  const original = keyParser.parseDERKey;
  keyParser.parseDERKey = (data: Buffer, type: string) => {
    if (!isCertificateType(type)) return original(data, type);
    const nonceLength = data.readUInt32BE(0);
    return original(data.subarray(4 + nonceLength), baseTypeOf(type));
  };
}

let state: { installed: boolean; problem?: string } | undefined;

/**
 * Install the overrides; call before ssh2's own modules are first required, so the key
 * exchange takes the taught parseDERKey (it copies the function when it loads).
 */
export function installCertificateSupport(require: Require): void {
  if (state) return;
  // Protocol.js loads kex.js, which copies parseDERKey: teach parseDERKey before anything loads
  if (require.cache[require.resolve('ssh2/lib/protocol/kex.js')] !== undefined) {
    state = { installed: false, problem: 'ssh2 was loaded before sls-play could prepare it' };
    return;
  }
  const keyParser = require('ssh2/lib/protocol/keyParser.js') as Ssh2Internals['keyParser'];
  const original = keyParser.parseDERKey;
  if (typeof original === 'function') teachParseDERKey(keyParser);
  const problem = ssh2Shape(require);
  if (problem) {
    keyParser.parseDERKey = original;
    state = { installed: false, problem };
    return;
  }
  const internals = readInternals(require);
  overrideAuthPK(internals);
  const supported = internals.constants.SUPPORTED_SERVER_HOST_KEY;
  for (const algorithm of CERTIFICATE_HOST_KEY_ALGORITHMS)
    if (!supported.includes(algorithm)) supported.push(algorithm);
  state = { installed: true };
}

/** Why certificates cannot be used with this ssh2, or undefined when they can. */
export function certificateSupportProblem(): string | undefined {
  if (state === undefined) return 'ssh2 is not loaded yet';
  return state.installed ? undefined : state.problem;
}

function rememberServerSigAlgs(proto: ProtocolInternals): void {
  const handlers = proto._handlers;
  const extInfo = handlers?.EXT_INFO;
  if (handlers === undefined || typeof extInfo !== 'function') return;
  handlers.EXT_INFO = (self, exts) => {
    const algs = exts.find((e) => e.name === 'server-sig-algs')?.algs;
    if (algs && !serverSigAlgs.has(proto)) serverSigAlgs.set(proto, algs);
    return extInfo(self, exts);
  };
}

/**
 * Once our verifier accepts a host certificate, ssh2 checks the exchange-hash signature under
 * the base algorithm it is made with; an RSA certificate's negotiated name is first made the
 * blob's (`ssh-rsa-cert-v01`), as each key exchange starts, for ssh2's comparison of the two.
 */
function acceptHostCertificates(proto: ProtocolInternals): void {
  const verifier = proto._hostVerifier;
  if (typeof verifier !== 'function') return;
  const rsaSignature = new WeakMap<KexInternals, string>();
  let kex: KexInternals | undefined = proto._kex;
  Object.defineProperty(proto, '_kex', {
    configurable: true,
    get: () => kex,
    set(next: KexInternals | undefined) {
      kex = next;
      const negotiated = next?.negotiated;
      const signature = RSA_CERT_SIGNATURES[negotiated?.serverHostKey ?? ''];
      if (next && negotiated && signature) {
        rsaSignature.set(next, signature);
        negotiated.serverHostKey = 'ssh-rsa-cert-v01@openssh.com';
      }
    },
  });
  proto._hostVerifier = (key, verify) =>
    verifier(key, (ok) => {
      const type = keyTypeOfBlob(key);
      const negotiated = kex?.negotiated;
      if (ok && isCertificateType(type) && kex && negotiated)
        negotiated.serverHostKey = rsaSignature.get(kex) ?? baseTypeOf(type);
      verify(ok);
    });
}

/** Per connection, right after `client.connect()` (which creates the protocol). */
export function prepareConnection(client: object): void {
  if (state?.installed !== true) return;
  const proto = (client as { _protocol?: ProtocolInternals })._protocol;
  if (proto === undefined) return;
  rememberServerSigAlgs(proto);
  acceptHostCertificates(proto);
}
