// How the transport tests reach their sshd.
import type { OpenSshOptions } from '../../src/transport/openssh/index.ts';
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

/**
 * The same settings for the OpenSSH client, with the master's command line they make: no ssh_config
 * (-F /dev/null) and only the named key (IdentitiesOnly), so both clients see the same host.
 */
export function openSshOptionsFor(base: ConnectOptions): OpenSshOptions {
  return {
    ...base,
    master: {
      destination: base.address,
      configFile: '/dev/null',
      userArgs: ['-o', 'IdentitiesOnly=yes'],
      user: base.user,
      port: base.port,
      identityFiles: base.privateKeyFiles,
      hostKeyChecking: base.hostKeyChecking,
      hostKeyCheckingExplicit: true,
      knownHostsFile: base.knownHostsFile,
      connectTimeoutMs: base.connectTimeoutMs,
    },
  };
}
