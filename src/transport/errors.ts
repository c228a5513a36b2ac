import { UnreachableError } from './types.ts';

export interface Endpoint {
  address: string;
  port: number;
  user: string;
}

/** The ssh2 or socket error of a failed connection attempt, as one line saying what and what to do. */
export function unreachableFrom(
  error: Error & { code?: string; level?: string },
  to: Endpoint,
  connectTimeoutMs: number,
): UnreachableError {
  if (error instanceof UnreachableError) return error;
  const where = `${to.address}:${to.port}`;
  const seconds = connectTimeoutMs / 1000;
  switch (error.code) {
    case 'ECONNREFUSED':
      return new UnreachableError(
        'refused',
        `connection refused by ${where}; check that sshd runs there and listens on port ${to.port}`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new UnreachableError(
        'dns',
        `cannot resolve ${to.address}; check ansible_host or the HostName in your ssh config`,
      );
    case 'ETIMEDOUT':
      return new UnreachableError(
        'timeout',
        `no answer from ${where} within ${seconds} s; check that the host is up and the port is not filtered`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new UnreachableError('other', `no route to ${where}; check the address and the network`);
    case 'ECONNRESET':
      return new UnreachableError(
        'disconnected',
        `${where} closed the connection during the SSH handshake; check sshd's log there (MaxStartups, AllowUsers, tcp wrappers)`,
      );
  }
  // ssh2's words when the server closes before its banner: what sshd does to a connection
  // it drops under MaxStartups, or that tcp wrappers refuse
  if (/^Connection lost before handshake/.test(error.message)) {
    return new UnreachableError(
      'disconnected',
      `${where} closed the connection during the SSH handshake; check sshd's log there (MaxStartups, AllowUsers, tcp wrappers)`,
    );
  }
  if (error.level === 'client-timeout') {
    return new UnreachableError(
      'timeout',
      `no SSH handshake from ${where} within ${seconds} s; check that an SSH server answers on port ${to.port}`,
    );
  }
  if (error.level === 'client-dns') {
    return new UnreachableError(
      'dns',
      `cannot resolve ${to.address}; check ansible_host or the HostName in your ssh config`,
    );
  }
  return new UnreachableError('other', `SSH to ${to.user}@${where} failed: ${error.message}`);
}
