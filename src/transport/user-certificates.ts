/**
 * User certificates for the keys we log in with, found as ssh finds them: every CertificateFile
 * when any is set, else `<identity>-cert.pub` beside each identity file (ssh.c
 * load_public_identity_files). A certificate is offered with the private key it certifies;
 * one whose key is not among the files may still be offered through ssh-agent (cert-agent.ts).
 */
import { readFile } from 'node:fs/promises';
import type { ParsedKey } from 'ssh2';
import { fileStamp } from './file_stamp.ts';
import { parseCertificateLine, validityProblem, type SshCertificate } from './certificate.ts';
import type { CertificateSigning } from './ssh2-cert-auth.ts';

export type CertificateKey = ParsedKey & CertificateSigning;

export interface UserCertificate {
  /** Where it came from, for messages: a file, or "ssh-agent". */
  source: string;
  certificate: SshCertificate;
}

export interface FileCertificate extends UserCertificate {
  /** The private key file it certifies, when that key is loaded. */
  keyFile?: string;
  key?: CertificateKey;
}

export interface LoadedCertificates {
  certificates: FileCertificate[];
  problems: string[];
}

/** The certificate files ssh would look at for these identities. */
export function certificateFilesFor(identityFiles: readonly string[], certificateFiles: readonly string[]): string[] {
  if (certificateFiles.length > 0) return [...new Set(certificateFiles)];
  return [...new Set(identityFiles.map((file) => `${file}-cert.pub`))];
}

/** Why a user certificate cannot be offered now, in words naming it; undefined when it can. */
export function userCertificateProblem(source: string, cert: SshCertificate, now: bigint): string | undefined {
  if (cert.kind !== 'user') return `certificate ${source} is a ${cert.kind} certificate, not a user certificate`;
  const validity = validityProblem(cert, now);
  return validity ? `your certificate ${source} ${validity}` : undefined;
}

/**
 * A key ssh2 treats as the certificate: its type and public blob are the certificate's, it signs
 * with the private key, with the hash authPK chose for this attempt (see ssh2-cert-auth.ts).
 */
export function certificateKey(base: ParsedKey, cert: SshCertificate): CertificateKey {
  return Object.create(base, {
    type: { value: cert.type },
    getPublicSSH: { value: () => cert.blob },
    signHash: { value: undefined, writable: true },
    sign: {
      value(this: CertificateKey, data: Buffer, algo?: string) {
        return base.sign(data, algo ?? this.signHash ?? undefined);
      },
    },
  }) as CertificateKey;
}

async function readCertificateText(file: string): Promise<SshCertificate | Error | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return new Error(`could not be read: ${(error as Error).message}`);
  }
  return parseCertificateLine(text);
}

// Every host of a run looks for the same few files: read each once while it is unchanged (a
// stat per file and host, as for the key files; a missing one costs no read).
const certificateFileCache = new Map<string, { stamp: string; read: Promise<SshCertificate | Error | undefined> }>();

function readCertificateFile(file: string): Promise<SshCertificate | Error | undefined> {
  const stamp = fileStamp(file);
  if (stamp === '') return Promise.resolve(undefined);
  const hit = certificateFileCache.get(file);
  if (hit?.stamp === stamp) return hit.read;
  const read = readCertificateText(file);
  certificateFileCache.set(file, { stamp, read });
  return read;
}

/**
 * Read the certificate files and pair each with its loaded private key. An explicit
 * CertificateFile that is missing is a problem; a missing `-cert.pub` is simply not there.
 */
export async function loadUserCertificates(
  files: readonly string[],
  explicit: boolean,
  keys: ReadonlyArray<{ file: string; key: ParsedKey }>,
  now: bigint,
): Promise<LoadedCertificates> {
  const loaded: LoadedCertificates = { certificates: [], problems: [] };
  for (const file of files) {
    const cert = await readCertificateFile(file);
    if (cert === undefined) {
      if (explicit) loaded.problems.push(`certificate ${file} (CertificateFile) does not exist`);
      continue;
    }
    if (cert instanceof Error) {
      loaded.problems.push(`certificate ${file} is not usable: ${cert.message}`);
      continue;
    }
    const problem = userCertificateProblem(file, cert, now);
    if (problem) {
      loaded.problems.push(problem);
      continue;
    }
    const owner = keys.find(({ key }) => key.getPublicSSH().equals(cert.publicKey));
    loaded.certificates.push(
      owner
        ? { source: file, certificate: cert, keyFile: owner.file, key: certificateKey(owner.key, cert) }
        : { source: file, certificate: cert },
    );
  }
  return loaded;
}
