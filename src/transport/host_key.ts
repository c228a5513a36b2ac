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
import { UnreachableError, type HostKeyChecking } from './types.ts';

export interface HostKeyTarget {
  address: string;
  port: number;
  knownHostsFile: string;
  extraKnownHostsFiles?: string[];
  hostKeyChecking: HostKeyChecking;
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
  return [...new Set([...supported, ...HOST_KEY_ALGORITHMS])];
}

export function hostKeyRejection(target: HostKeyTarget, verdict: HostKeyMatch, keyType: string): UnreachableError {
  const name = knownHostsName(target.address, target.port);
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
    const verdict = matchHostKey(entries, target.address, target.port, key);
    if (verdict.status === 'match') return verify(true);
    if (verdict.status === 'unknown' && target.hostKeyChecking === 'accept-new') {
      recordHostKey(target.knownHostsFile, target.address, target.port, key).then(
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
    reject(hostKeyRejection(target, verdict, keyType));
    verify(false);
  };
}
