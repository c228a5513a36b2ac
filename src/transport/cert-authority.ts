/**
 * A host certificate judged against known_hosts as OpenSSH judges it (hostfile.c,
 * sshkey_cert_check_host): not revoked (neither the key nor its CA), signed by a CA that a
 * `@cert-authority` line for this host name trusts, the signature good, a host certificate,
 * inside its validity window, a principal matching the name connected to (wildcards allowed),
 * no critical options. Pure, so every rule is unit-tested.
 */
import { homedir } from 'node:os';
import { parseCertificate, validityProblem, type SshCertificate } from './certificate.ts';
import { entriesFor, type KnownHostEntry } from './known_hosts.ts';
import { verifySshSignature } from './ssh_signature.ts';

export interface HostCertificateTarget {
  /** The name looked up in known_hosts: HostKeyAlias, else `host` or `[host]:port`. */
  lookupName: string;
  /** The name the principals must include: HostKeyAlias, else the host name connected to. */
  principalName: string;
  /** The known_hosts files read, for messages. */
  files: readonly string[];
}

export type HostCertificateVerdict =
  | { status: 'trusted'; line: number; file?: string; certificate: SshCertificate }
  | { status: 'refused'; revoked: boolean; why: string };

const tilde = (file: string) => {
  const home = homedir();
  return file.startsWith(`${home}/`) ? `~${file.slice(home.length)}` : file;
};

export function describeFiles(files: readonly string[]): string {
  return files.map(tilde).join(' or ');
}

/** OpenSSH's match_pattern: `*` any run, `?` one character, case as written. */
export function principalMatches(pattern: string, name: string): boolean {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's').test(name);
}

/** The @cert-authority lines that apply to `name`. */
export function authoritiesFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entriesFor(entries, name).filter((e) => e.marker === 'cert-authority');
}

function revokedLine(entries: readonly KnownHostEntry[], blobs: Buffer[]): KnownHostEntry | undefined {
  const wanted = new Set(blobs.map((b) => b.toString('base64')));
  return entries.find((e) => e.marker === 'revoked' && wanted.has(e.key));
}

const where = (entry: KnownHostEntry) => `${entry.file ? tilde(entry.file) : 'known_hosts'}:${entry.line}`;

/** The host checks of sshkey_cert_check_host, once the CA is known to be trusted. */
function hostCheckProblem(cert: SshCertificate, target: HostCertificateTarget, now: bigint): string | undefined {
  const subject = `the host certificate of ${target.lookupName}`;
  if (cert.kind !== 'host') return `${target.lookupName} presented a ${cert.kind} certificate, not a host certificate`;
  const validity = validityProblem(cert, now);
  if (validity) return `${subject} (serial ${cert.serial}, id "${cert.keyId}") ${validity}`;
  if (cert.principals.length === 0) return `${subject} lists no principals, and OpenSSH refuses such certificates`;
  if (!cert.principals.some((p) => principalMatches(p, target.principalName))) {
    return `the principals of the host certificate (${cert.principals.join(', ')}) do not include ${target.principalName}`;
  }
  if (cert.criticalOptions.size > 0) {
    return `${subject} carries critical options (${[...cert.criticalOptions.keys()].join(', ')}), which a host certificate must not`;
  }
  return undefined;
}

export function checkHostCertificate(
  entries: readonly KnownHostEntry[],
  target: HostCertificateTarget,
  blob: Buffer,
  now: bigint,
): HostCertificateVerdict {
  const refuse = (why: string, revoked = false): HostCertificateVerdict => ({ status: 'refused', revoked, why });
  const cert = parseCertificate(blob);
  if (cert instanceof Error)
    return refuse(`the host certificate of ${target.lookupName} is unreadable: ${cert.message}`);

  const revoked = revokedLine(entries, [cert.publicKey, cert.signatureKey]);
  if (revoked) {
    const what = revoked.key === cert.publicKey.toString('base64') ? 'its host key' : 'the CA that signed it';
    return refuse(
      `the host certificate of ${target.lookupName} is REVOKED: ${what} is marked @revoked (${where(revoked)})`,
      true,
    );
  }
  const authority = authoritiesFor(entries, target.lookupName).find(
    (e) => e.key === cert.signatureKey.toString('base64'),
  );
  if (!authority) {
    return refuse(
      `the host certificate of ${target.lookupName} is signed by a CA that no @cert-authority line in ${describeFiles(target.files)} trusts for that name`,
    );
  }
  const signature = verifySshSignature(cert.signatureKey, cert.signature, cert.signed);
  if (!signature.ok) return refuse(`the host certificate of ${target.lookupName} is refused: ${signature.why}`);
  const problem = hostCheckProblem(cert, target, now);
  if (problem) return refuse(problem);
  return {
    status: 'trusted',
    line: authority.line,
    ...(authority.file ? { file: authority.file } : {}),
    certificate: cert,
  };
}
