// The network a fleet's hosts see around Sophos Central: a TLS listener standing in for every
// region's MCS host (the hosts' /etc/hosts names it), a resolv.conf whose name server on
// 127.0.0.0/8 is not there (any other name fails at once, and no lookup leaves the machine),
// and, for tests, a listener that accepts and never answers and an HTTP CONNECT proxy.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { MCS_REGIONS } from '../../src/sls/regions.ts';
import { makeTestCa } from '../central/ca.ts';
import type { FleetMcsEndpoint } from './types.ts';

const closeServer = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A TLS server on `address:port` that answers every request 404 and counts its handshakes. */
export async function startTlsListener(
  address: string,
  port = 0,
): Promise<FleetMcsEndpoint & { stop(): Promise<void> }> {
  const ca = makeTestCa();
  let handshakes = 0;
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: ca.key, cert: ca.cert }, (socket) => {
    handshakes++;
    socket.on('error', () => {});
    socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  ca.remove();
  return {
    address,
    port: (server.address() as net.AddressInfo).port,
    handshakes: () => handshakes,
    async stop() {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/** Accepts connections and never says a word (a firewall that black-holes, a hung server). */
export async function startSilentListener(address: string): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, address, () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    async stop() {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/**
 * An HTTP CONNECT proxy that records each CONNECT target and tunnels to 127.0.0.0/8 only: a name
 * is looked up in `names` (never in DNS), anything else is refused with 403.
 */
export async function startConnectProxy(
  address: string,
  port = 0,
  names: Record<string, string> = {},
): Promise<{ port: number; targets: string[]; stop(): Promise<void> }> {
  const targets: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    client.once('data', (head) => {
      const match = /^CONNECT ([^\s:]+):(\d+) HTTP/.exec(head.toString('latin1'));
      const to = match ? (names[match[1]!] ?? match[1]!) : '';
      if (!match || !/^127\.\d+\.\d+\.\d+$/.test(to)) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      targets.push(`${match[1]}:${match[2]}`);
      const upstream = net.connect(Number(match[2]), to, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(port, address, () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    targets,
    async stop() {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/** Writes the fleet's hosts and resolv.conf files; returns their paths. */
export function writeFleetNetwork(dir: string, endpoint: string, subnet: number): { hosts: string; resolv: string } {
  const hosts = join(dir, 'etc-hosts');
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(
    hosts,
    ['127.0.0.1 localhost', '::1 localhost', ...MCS_REGIONS.map((r) => `${endpoint} ${r.host}`), ''].join('\n'),
  );
  // nothing listens on this address: a lookup is refused at once, on loopback
  writeFileSync(resolv, `nameserver 127.${subnet}.254.53\noptions timeout:1 attempts:1\n`);
  return { hosts, resolv };
}
