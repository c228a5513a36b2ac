/**
 * Certificates through ssh-agent. ssh2's agent client drops every identity it cannot parse,
 * certificates included; this small client of the agent protocol (draft-miller-ssh-agent)
 * lists the agent's certificates, and signs with the agent's key for a certificate held there
 * or named by a file (CertificateFile) whose key is only in the agent. It is handed to ssh2 as
 * an agent of its own, so ssh2's own agent path for plain keys is unchanged.
 */
import { connect } from 'node:net';
import type { ParsedKey } from 'ssh2';
import { isCertificateType, parseCertificate, type SshCertificate } from './certificate.ts';
import {
  certificateKey,
  userCertificateProblem,
  type CertificateKey,
  type UserCertificate,
} from './user-certificates.ts';
import { agentBase, parseKey } from './ssh2.ts';
import { WireReader, wireString } from './ssh_wire.ts';

const REQUEST_IDENTITIES = 11;
const IDENTITIES_ANSWER = 12;
const SIGN_REQUEST = 13;
const SIGN_RESPONSE = 14;
const RSA_SHA2_256 = 2;
const RSA_SHA2_512 = 4;
const TIMEOUT_MS = 10_000;

/** One request to the agent, one answer: [length][type][body]. */
function agentRequest(socketPath: string, type: number, body: Buffer): Promise<{ type: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('ssh-agent did not answer')), TIMEOUT_MS);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length + 1);
    socket.on('connect', () => socket.write(Buffer.concat([length, Buffer.from([type]), body])));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const data = Buffer.concat(chunks);
      if (data.length < 4 || data.length < 4 + data.readUInt32BE(0)) return;
      clearTimeout(timer);
      socket.end();
      resolve({ type: data[4]!, body: data.subarray(5, 4 + data.readUInt32BE(0)) });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

interface AgentIdentities {
  certificates: SshCertificate[];
  /** Public blobs of every plain key the agent holds. */
  keys: Buffer[];
}

async function listIdentities(socketPath: string): Promise<AgentIdentities> {
  const answer = await agentRequest(socketPath, REQUEST_IDENTITIES, Buffer.alloc(0));
  if (answer.type !== IDENTITIES_ANSWER) throw new Error('ssh-agent refused to list its keys');
  const reader = new WireReader(answer.body);
  const found: AgentIdentities = { certificates: [], keys: [] };
  for (let count = reader.uint32(); count > 0; count--) {
    const blob = Buffer.from(reader.bytes());
    reader.bytes(); // comment
    const type = new WireReader(blob).text();
    if (!isCertificateType(type)) found.keys.push(blob);
    else {
      const cert = parseCertificate(blob);
      if (!(cert instanceof Error)) found.certificates.push(cert);
    }
  }
  return found;
}

// Listed once per run and socket: every host of a run asks the same agent.
const listings = new Map<string, Promise<AgentIdentities>>();

export interface AgentCertificates {
  certificates: UserCertificate[];
  problems: string[];
}

/**
 * The certificates to offer through the agent: its own, and `fileCertificates` whose key it
 * holds. An unreachable agent offers none (ssh2's own agent method reports on it).
 */
export async function agentCertificates(
  socketPath: string,
  fileCertificates: readonly UserCertificate[],
  now: bigint,
): Promise<AgentCertificates> {
  let listing = listings.get(socketPath);
  if (listing === undefined) {
    listing = listIdentities(socketPath);
    listings.set(socketPath, listing);
  }
  let identities: AgentIdentities;
  try {
    identities = await listing;
  } catch {
    return { certificates: [], problems: [] };
  }
  const out: AgentCertificates = { certificates: [], problems: [] };
  for (const certificate of identities.certificates) {
    const source = `ssh-agent (certificate "${certificate.keyId}")`;
    const problem = userCertificateProblem(source, certificate, now);
    if (problem) out.problems.push(problem);
    else out.certificates.push({ source, certificate });
  }
  const held = new Set(identities.keys.map((k) => k.toString('base64')));
  for (const file of fileCertificates) {
    if (held.has(file.certificate.publicKey.toString('base64'))) out.certificates.push(file);
  }
  return out;
}

function flagsFor(key: CertificateKey): number {
  if (key.signHash === 'sha512') return RSA_SHA2_512;
  if (key.signHash === 'sha256') return RSA_SHA2_256;
  return 0;
}

async function agentSign(socketPath: string, key: CertificateKey, data: Buffer): Promise<Buffer> {
  const body = Buffer.concat([wireString(key.getPublicSSH()), wireString(data), Buffer.alloc(4)]);
  body.writeUInt32BE(flagsFor(key), body.length - 4);
  const answer = await agentRequest(socketPath, SIGN_REQUEST, body);
  if (answer.type !== SIGN_RESPONSE) throw new Error('ssh-agent refused to sign with the certificate key');
  const signature = new WireReader(new WireReader(answer.body).bytes());
  signature.text(); // algorithm: authPK names it
  return Buffer.from(signature.bytes());
}

/** An agent for ssh2 that offers only these certificates, for one connection. */
export function certificateAgent(socketPath: string, certificates: readonly UserCertificate[]): object {
  const keys = certificates.flatMap(({ certificate }) => {
    const base = parseKey(`${certificate.baseType} ${certificate.publicKey.toString('base64')}`);
    return base instanceof Error ? [] : [certificateKey(base as ParsedKey, certificate)];
  });
  const agent = Object.create(agentBase().prototype as object) as Record<string, unknown>;
  agent.getIdentities = (cb: (error: Error | null, keys?: CertificateKey[]) => void) => cb(null, keys);
  agent.sign = (key: CertificateKey, data: Buffer, _options: unknown, cb: (e: Error | null, s?: Buffer) => void) => {
    agentSign(socketPath, key, data).then(
      (signature) => cb(null, signature),
      (error: Error) => cb(error),
    );
  };
  return agent;
}
