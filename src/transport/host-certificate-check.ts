/**
 * Host certificates in the ssh2 path: which certificate algorithms a handshake asks for, and
 * what a presented certificate, or a plain key where a CA vouches for the host, comes to.
 * Where a `@cert-authority` line covers the host, no message suggests ssh-keyscan or
 * accept-new: the CA, not a first sight of the key, is what the host is trusted through.
 */
import { authoritiesFor, checkHostCertificate, describeFiles } from './cert-authority.ts';
import { nowSeconds, parseCertificate } from './certificate.ts';
import { knownHostsName, matchHostKey, type KnownHostEntry } from './known_hosts.ts';
import { CERTIFICATE_HOST_KEY_ALGORITHMS, certificateSupportProblem } from './ssh2-cert-auth.ts';
import { UnreachableError } from './types.ts';

interface Target {
  address: string;
  port: number;
  knownHostsFile: string;
  extraKnownHostsFiles?: string[];
  hostKeyAlias?: string;
}

/** The certificate algorithms to ask `name` for: all we can take, when a CA line covers it. */
export function certificateHostKeyAlgorithms(entries: readonly KnownHostEntry[], name: string): string[] {
  if (certificateSupportProblem() !== undefined) return [];
  return authoritiesFor(entries, name).length > 0 ? CERTIFICATE_HOST_KEY_ALGORITHMS : [];
}

const filesOf = (target: Target) => [target.knownHostsFile, ...(target.extraKnownHostsFiles ?? [])];

/**
 * Undefined when the certificate is trusted; else the refusal, naming the host and why. As
 * ssh does, a certificate whose CA check fails is still accepted when known_hosts holds its
 * plain key (sshconnect.c: "Retry with plain key"), unless it is revoked.
 */
export function hostCertificateRefusal(
  target: Target,
  entries: readonly KnownHostEntry[],
  blob: Buffer,
): UnreachableError | undefined {
  const lookupName = target.hostKeyAlias ?? knownHostsName(target.address, target.port);
  const verdict = checkHostCertificate(
    entries,
    { lookupName, principalName: target.hostKeyAlias ?? target.address, files: filesOf(target) },
    blob,
    nowSeconds(),
  );
  if (verdict.status === 'trusted') return undefined;
  const cert = parseCertificate(blob);
  if (!verdict.revoked && !(cert instanceof Error)) {
    const [host, port] = target.hostKeyAlias ? [target.hostKeyAlias, 22] : [target.address, target.port];
    if (matchHostKey(entries, host, port, cert.publicKey).status === 'match') return undefined;
  }
  return new UnreachableError(verdict.revoked ? 'host-key-changed' : 'host-key-unknown', verdict.why);
}

/** The refusal of a plain host key where only a CA vouches for the host; undefined elsewhere. */
export function plainKeyUnderAuthority(
  entries: readonly KnownHostEntry[],
  name: string,
  keyType: string,
): UnreachableError | undefined {
  const authority = authoritiesFor(entries, name)[0];
  if (authority === undefined) return undefined;
  const where = `${describeFiles([authority.file ?? 'known_hosts'])}:${authority.line}`;
  const problem = certificateSupportProblem();
  const what =
    problem !== undefined
      ? `sls-play's built-in SSH client cannot ask for host certificates here (${problem}); reach this host with the OpenSSH client`
      : 'the host needs a certificate from that CA (HostCertificate in its sshd_config)';
  return new UnreachableError(
    'host-key-unknown',
    `${name} presented a plain ${keyType} host key, not a host certificate, and known_hosts trusts ${name} only through a CA (@cert-authority, ${where}); ${what}`,
  );
}
