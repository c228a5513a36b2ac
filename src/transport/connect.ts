import type { Duplex } from 'node:stream';
import type { Client } from './ssh2.ts';
import { forwardThrough, openClient, type HopOptions } from './hop.ts';
import { openThroughProxyCommand } from './proxy_connect.ts';
import { SshConnection } from './ssh_connection.ts';
import { UnreachableError, type Connection, type ConnectOptions } from './types.ts';

function label(hop: HopOptions): string {
  return `${hop.user}@${hop.address}:${hop.port}`;
}

/**
 * Connect to a host over SSH, through its bastions (ProxyJump) if any: each hop is verified
 * against known_hosts and logged into, and carries the next hop's connection. The first hop may
 * be reached through a ProxyCommand instead of TCP.
 */
export async function connect(options: ConnectOptions): Promise<Connection> {
  const bastions: HopOptions[] = options.proxyJump ?? [];
  const chain: HopOptions[] = [...bastions, options];
  const clients: Client[] = [];
  try {
    for (const [index, hop] of chain.entries()) {
      const previous = clients[index - 1];
      let sock: Duplex | undefined;
      if (previous !== undefined) sock = await forwardThrough(previous, label(chain[index - 1]!), hop);
      try {
        clients.push(
          index === 0 && hop.proxyCommand !== undefined
            ? await openThroughProxyCommand(hop, hop.proxyCommand)
            : await openClient(hop, sock),
        );
      } catch (error) {
        if (index < bastions.length && error instanceof UnreachableError) {
          throw new UnreachableError(error.reason, `bastion ${label(hop)}: ${error.message}`);
        }
        throw error;
      }
    }
  } catch (error) {
    for (const client of clients.reverse()) client.end();
    throw error;
  }
  return new SshConnection(options, clients);
}
