// How the transport tests reach their sshd.
import type { ConnectOptions } from '../../src/transport/types.ts';

/**
 * Options to connect to a test sshd: as root unless `user` says otherwise, with the test's key
 * and known_hosts, strict host key checking and 20 s to connect (the machine may be busy).
 */
export function connectOptionsFor(
  to: { name: string; address: string; port: number; user?: string },
  client: { key: string; knownHosts: string },
  overrides: Partial<ConnectOptions> = {},
): ConnectOptions {
  return {
    user: 'root',
    ...to,
    privateKeyFiles: [client.key],
    knownHostsFile: client.knownHosts,
    hostKeyChecking: 'strict',
    connectTimeoutMs: 20_000,
    ...overrides,
  };
}
