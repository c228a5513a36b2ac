/**
 * Which user certificates one login offers, and how: a certificate whose private key is in a
 * file signs with that key; the agent's certificates, and files whose key only the agent holds,
 * go through a certificate agent. Certificates come before plain keys: a host that trusts a
 * user CA then lets the user in at the first attempt.
 */
import type { AnyAuthMethod, ParsedKey } from 'ssh2';
import { nowSeconds } from './certificate.ts';
import { agentCertificates, certificateAgent } from './cert-agent.ts';
import {
  certificateFilesFor,
  loadUserCertificates,
  type CertificateKey,
  type FileCertificate,
  type UserCertificate,
} from './user-certificates.ts';

export interface CertificatePlan {
  /** Certificates with their private key loaded from a file. */
  withKey: Array<FileCertificate & { key: CertificateKey; keyFile: string }>;
  /** Certificates the agent signs for. */
  throughAgent: UserCertificate[];
  /** Certificates that cannot be offered (expired, not a user certificate, unreadable), one sentence each. */
  problems: string[];
}

export interface CertificateSources {
  identityFiles: readonly string[];
  /** CertificateFile values; when any is set, no `-cert.pub` beside a key is looked for. */
  certificateFiles: readonly string[];
  keys: ReadonlyArray<{ file: string; key: ParsedKey }>;
  agentSocket?: string;
}

export async function planCertificates(sources: CertificateSources): Promise<CertificatePlan> {
  const now = nowSeconds();
  const explicit = sources.certificateFiles.length > 0;
  const files = certificateFilesFor(sources.identityFiles, sources.certificateFiles);
  const loaded = await loadUserCertificates(files, explicit, sources.keys, now);
  const withKey = loaded.certificates.filter(
    (c): c is FileCertificate & { key: CertificateKey; keyFile: string } => c.key !== undefined,
  );
  const plan: CertificatePlan = { withKey, throughAgent: [], problems: loaded.problems };
  const keyless = loaded.certificates.filter((c) => c.key === undefined);
  if (sources.agentSocket) {
    const agent = await agentCertificates(sources.agentSocket, keyless, now);
    plan.throughAgent = agent.certificates;
    plan.problems.push(...agent.problems);
  }
  for (const cert of keyless) {
    if (!plan.throughAgent.includes(cert))
      plan.problems.push(`certificate ${cert.source} certifies a key that is neither loaded nor in ssh-agent`);
  }
  return plan;
}

export function describeCertificates(plan: CertificatePlan | undefined): string[] {
  if (plan === undefined) return [];
  return [
    ...plan.withKey.map((c) => `certificate ${c.source}`),
    ...plan.throughAgent.map((c) =>
      c.source.startsWith('ssh-agent') ? c.source : `certificate ${c.source} via ssh-agent`,
    ),
  ];
}

/** The login methods for one connection; each gets keys of its own (authPK marks them per attempt). */
export function certificateMethods(
  plan: CertificatePlan | undefined,
  username: string,
  agentSocket: string | undefined,
): AnyAuthMethod[] {
  if (plan === undefined) return [];
  const methods: AnyAuthMethod[] = plan.withKey.map(({ key }) => ({
    type: 'publickey',
    username,
    key: Object.create(key) as ParsedKey,
  }));
  if (agentSocket && plan.throughAgent.length > 0) {
    const agent = certificateAgent(agentSocket, plan.throughAgent) as never;
    methods.push({ type: 'agent', username, agent });
  }
  return methods;
}

/** What to check after a failed login, in the words of the way the user logs in. */
export function certificateAdvice(user: string, plan: { certificates?: CertificatePlan }): string {
  const certificates = plan.certificates;
  const offered = (certificates?.withKey.length ?? 0) + (certificates?.throughAgent.length ?? 0);
  if (offered > 0) {
    return `check ansible_user, that your certificate's principals include ${user} and that the host trusts its CA (TrustedUserCAKeys), or that the public key is in that user's authorized_keys`;
  }
  if ((certificates?.problems.length ?? 0) > 0) {
    return `check ansible_user; no usable certificate was offered: renew it (or name a valid one with CertificateFile), or put the public key in that user's authorized_keys`;
  }
  return `check ansible_user and that the public key is in that user's authorized_keys; no certificate was offered (no <key>-cert.pub beside the key, no CertificateFile, none in ssh-agent): if the host trusts a user CA (TrustedUserCAKeys), it lets in only keys with a certificate from that CA`;
}
