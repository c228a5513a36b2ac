/**
 * What a failed `ssh` master said, in the ssh2 client's words: the same UnreachableError reasons
 * and the same advice, so a host reads the same whichever client reached (or missed) it.
 */
import { unreachableFrom } from '../errors.ts';
import { hostKeyRejection } from '../host_key.ts';
import type { KnownHostEntry } from '../known_hosts.ts';
import { UnreachableError, type HostKeyChecking } from '../types.ts';

export interface MasterTarget {
  address: string;
  port: number;
  user: string;
  knownHostsFile: string;
  extraKnownHostsFiles?: string[];
  hostKeyChecking: HostKeyChecking;
  connectTimeoutMs: number;
}

/** ssh's key type words ("No ED25519 host key is known") as ssh-keyscan -t takes them. */
function keyTypeOf(word: string | undefined): string {
  switch (word?.toUpperCase()) {
    case 'ED25519':
      return 'ssh-ed25519';
    case 'RSA':
      return 'ssh-rsa';
    case 'ECDSA':
      return 'ecdsa';
    default:
      return word?.toLowerCase() ?? 'ed25519';
  }
}

/** ssh's own lines, without its warning banners and blank lines. */
function said(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('@') && !/^Warning: Permanently added/.test(line));
}

function hostKeyError(stderr: string, target: MasterTarget, entries: readonly KnownHostEntry[]): UnreachableError {
  const certificate = /^(Certificate invalid: .*|.*certificate.*(?:revoked|not trusted|does not match).*)$/im.exec(
    stderr,
  );
  if (certificate) {
    return new UnreachableError(
      'host-key-unknown',
      `the host certificate of ${target.address}:${target.port} was refused: ${certificate[1]!.trim()}`,
    );
  }
  if (/REVOKED HOST KEY|marked as revoked/i.test(stderr)) {
    const revoked = entries.find((entry) => entry.marker === 'revoked');
    const keyType = keyTypeOf(/The (\S+) host key for/.exec(stderr)?.[1]);
    return hostKeyRejection(
      target,
      { status: 'mismatch', line: revoked?.line ?? 0, file: revoked?.file, revoked: true, storedKeyType: keyType },
      keyType,
    );
  }
  const offending = /Offending (\S+) key in (.+):(\d+)/.exec(stderr);
  if (offending) {
    const keyType = keyTypeOf(offending[1]);
    return hostKeyRejection(
      target,
      { status: 'mismatch', line: Number(offending[3]), file: offending[2]!, revoked: false, storedKeyType: keyType },
      keyType,
    );
  }
  const type = /No (\S+) host key is known for/.exec(stderr)?.[1];
  return hostKeyRejection(target, { status: 'unknown', otherKeyTypes: [] }, keyTypeOf(type), entries);
}

/**
 * The error of a master that exited before it was ready. `stderr` is everything ssh said;
 * `entries` are the known_hosts entries (to name a revoked key's line, which ssh does not).
 */
export function masterFailure(
  stderr: string,
  code: number | null,
  target: MasterTarget,
  entries: readonly KnownHostEntry[] = [],
): UnreachableError {
  const where = `${target.user}@${target.address}:${target.port}`;
  const as = (errno: string) =>
    unreachableFrom(Object.assign(new Error(errno), { code: errno }), target, target.connectTimeoutMs);
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|REVOKED HOST KEY/i.test(stderr)) {
    return hostKeyError(stderr, target, entries);
  }
  if (/Connection refused/i.test(stderr)) return as('ECONNREFUSED');
  if (/Could not resolve hostname|Name or service not known|Temporary failure in name resolution/i.test(stderr)) {
    return as('ENOTFOUND');
  }
  if (/Connection timed out during banner exchange/i.test(stderr)) {
    return unreachableFrom(
      Object.assign(new Error('timeout'), { level: 'client-timeout' }),
      target,
      target.connectTimeoutMs,
    );
  }
  if (/Connection timed out|Operation timed out/i.test(stderr)) return as('ETIMEDOUT');
  if (/No route to host|Network is unreachable/i.test(stderr)) return as('EHOSTUNREACH');
  const lines = said(stderr);
  const last = lines[lines.length - 1] ?? `ssh exited with ${code ?? 'a signal'}`;
  if (/Permission denied|Too many authentication failures|No more authentication methods/i.test(stderr)) {
    return new UnreachableError(
      'authentication',
      `authentication failed for ${where} (ssh: ${last}); check ansible_user and that the public key is in that user's authorized_keys`,
    );
  }
  if (/kex_exchange_identification|Connection closed by|Connection reset by/i.test(stderr)) {
    // a ProxyCommand that failed says why before ssh's own line: keep its words
    const why = lines.filter(
      (line) => !/kex_exchange_identification|Connection closed by|Connection reset by/i.test(line),
    );
    const detail = why.length > 0 ? ` (${why.join('; ')})` : '';
    return new UnreachableError(
      'disconnected',
      `${target.address}:${target.port} closed the connection during the SSH handshake${detail}; check sshd's log there (MaxStartups, AllowUsers, tcp wrappers)`,
    );
  }
  return new UnreachableError('other', `SSH to ${where} failed: ${lines.join('; ') || last}`);
}
