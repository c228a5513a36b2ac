import type { HostVerifier, ServerHostKeyAlgorithm } from 'ssh2';
import {
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  matchHostKey,
  type HostKeyMatch,
  type KnownHostEntry,
} from './known_hosts.ts';
import { recordHostKey } from './known_hosts_file.ts';
import { isCertificateType } from './certificate.ts';
import { authoritiesFor } from './cert-authority.ts';
import {
  certificateHostKeyAlgorithms,
  hostCertificateRefusal,
  plainKeyUnderAuthority,
} from './host-certificate-check.ts';
import { UnreachableError, type HostKeyChecking } from './types.ts';

export interface HostKeyTarget {
  address: string;
  port: number;
  knownHostsFile: string;
  extraKnownHostsFiles?: string[];
  hostKeyChecking: HostKeyChecking;
  /** HostKeyAlias: the name known_hosts and a host certificate's principals are checked against. */
  hostKeyAlias?: string;
}

/** The host and port known_hosts is searched under: HostKeyAlias stands for both, as in ssh. */
export function lookupEndpoint(target: Pick<HostKeyTarget, 'address' | 'port' | 'hostKeyAlias'>): {
  host: string;
  port: number;
} {
  return target.hostKeyAlias ? { host: target.hostKeyAlias, port: 22 } : { host: target.address, port: target.port };
}

// ssh2's own default order; the host's recorded key types are moved to the front.
const HOST_KEY_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function algorithmsForKeyType(keyType: string): string[] {
  return keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
}

/**
 * Ask the server for a key type already recorded for it, as OpenSSH does; otherwise a host
 * known only by its RSA key would present ed25519 and look unknown.
 */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostEntry[],
  address: string,
  port: number,
): ServerHostKeyAlgorithm[] {
  const preferred = knownKeyTypes(entries, address, port).flatMap(algorithmsForKeyType);
  const supported = HOST_KEY_ALGORITHMS.filter((a) => preferred.includes(a));
  // a host a @cert-authority line covers is asked for its certificate first, as ssh does
  const certificates = certificateHostKeyAlgorithms(entries, knownHostsName(address, port));
  return [...new Set([...certificates, ...supported, ...HOST_KEY_ALGORITHMS])] as ServerHostKeyAlgorithm[];
}

export function hostKeyRejection(
  target: HostKeyTarget,
  verdict: HostKeyMatch,
  keyType: string,
  entries: readonly KnownHostEntry[] = [],
): UnreachableError {
  const { host, port } = lookupEndpoint(target);
  const name = knownHostsName(host, port);
  const file = (verdict.status === 'mismatch' ? verdict.file : undefined) ?? target.knownHostsFile;
  if (verdict.status === 'mismatch' && verdict.revoked) {
    return new UnreachableError(
      'host-key-changed',
      `host key for ${name} is REVOKED (${file}:${verdict.line}); the host must get a new key before it is trusted again`,
    );
  }
  if (verdict.status === 'mismatch') {
    return new UnreachableError(
      'host-key-changed',
      `host key for ${name} CHANGED (${file}:${verdict.line}); if the host was rebuilt, remove the old key with ssh-keygen -R '${name}' -f ${file}, otherwise treat it as a possible attack`,
    );
  }
  const covered = plainKeyUnderAuthority(entries, name, keyType);
  if (covered) return covered;
  const scan = `ssh-keyscan -t ${keyType} -p ${target.port} ${target.address} >> ${file}`;
  const where = [file, ...(target.extraKnownHostsFiles ?? [])].join(' or ');
  return new UnreachableError(
    'host-key-unknown',
    `host key for ${name} is not in ${where}; verify it and add it (${scan}), or use --host-key-checking accept-new`,
  );
}

/**
 * A verifier that fails closed: an unknown or changed key stops the handshake before any
 * credential is sent. The reason is handed to `reject`, because ssh2 reports only
 * "Host denied (verification failed)".
 */
export function hostKeyVerifier(
  target: HostKeyTarget,
  entries: readonly KnownHostEntry[],
  reject: (error: UnreachableError) => void,
): HostVerifier {
  return (key, verify) => {
    if (target.hostKeyChecking === 'off') return verify(true);
    const keyType = keyTypeOfBlob(key);
    const { host, port } = lookupEndpoint(target);
    if (isCertificateType(keyType)) {
      const refused = hostCertificateRefusal(target, entries, key);
      if (refused) reject(refused);
      return verify(refused === undefined);
    }
    const verdict = matchHostKey(entries, host, port, key);
    if (verdict.status === 'match') return verify(true);
    // where a CA vouches for the host, a plain key is not taken on first use (see host-certificate-check.ts)
    const underAuthority = authoritiesFor(entries, knownHostsName(host, port)).length > 0;
    if (verdict.status === 'unknown' && target.hostKeyChecking === 'accept-new' && !underAuthority) {
      recordHostKey(target.knownHostsFile, host, port, key).then(
        (recorded) => {
          if (recorded.status === 'match') return verify(true);
          reject(hostKeyRejection(target, recorded, keyType));
          verify(false);
        },
        (error: Error) => {
          reject(
            new UnreachableError(
              'other',
              `could not record the host key in ${target.knownHostsFile}: ${error.message}`,
            ),
          );
          verify(false);
        },
      );
      return;
    }
    reject(hostKeyRejection(target, verdict, keyType, entries));
    verify(false);
  };
}
