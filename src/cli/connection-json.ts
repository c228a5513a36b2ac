import type { ConnectOptions } from '../transport/types.ts';

/** The resolved connection `inventory --host NAME --connection` prints (no password, ever). */
export interface ConnectionJson {
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  proxyJump: Array<{ address: string; port: number; user: string; proxyCommand?: string }>;
  /** Tokens expanded; absent without one. */
  proxyCommand?: string;
  knownHostsFiles: string[];
  strictHostKeyChecking: string;
  /** Seconds; null when there is no timeout. */
  connectTimeout: number | null;
}

export function connectionJson(options: ConnectOptions): ConnectionJson {
  return {
    address: options.address,
    port: options.port,
    user: options.user,
    identityFiles: [...options.privateKeyFiles],
    proxyJump: (options.proxyJump ?? []).map((hop) => ({
      address: hop.address,
      port: hop.port,
      user: hop.user,
      ...(hop.proxyCommand !== undefined ? { proxyCommand: hop.proxyCommand } : {}),
    })),
    ...(options.proxyCommand !== undefined ? { proxyCommand: options.proxyCommand } : {}),
    knownHostsFiles: [options.knownHostsFile, ...(options.extraKnownHostsFiles ?? [])],
    strictHostKeyChecking: options.hostKeyChecking,
    connectTimeout:
      options.connectTimeoutMs > 0 && Number.isFinite(options.connectTimeoutMs)
        ? options.connectTimeoutMs / 1000
        : null,
  };
}
