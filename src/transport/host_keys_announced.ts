import type { Client } from './ssh2.ts';

type GlobalRequestHandler = (protocol: unknown, name: string, wantReply: boolean, data: unknown) => void;

interface ProtocolInternals {
  _handlers?: { GLOBAL_REQUEST?: GlobalRequestHandler };
  requestSuccess(): void;
}

/**
 * After login, OpenSSH's sshd announces all its host keys (hostkeys-00@openssh.com, for the
 * client's UpdateHostKeys). ssh2 answers by asking the server to prove each key — one more
 * request, a signature per key on the host and a verification per key here, on every
 * connection — only to emit an event nobody listens to. sls-play learns host keys from
 * known_hosts alone (as ssh with UpdateHostKeys no), so the announcement is taken and let go.
 * Call right after `client.connect()`, which creates the protocol handlers.
 */
export function ignoreHostKeyAnnouncements(client: Client): void {
  const protocol = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const handlers = protocol?._handlers;
  const handle = handlers?.GLOBAL_REQUEST;
  if (protocol === undefined || handlers === undefined || typeof handle !== 'function') return;
  handlers.GLOBAL_REQUEST = (self, name, wantReply, data) => {
    if (name !== 'hostkeys-00@openssh.com') return handle(self, name, wantReply, data);
    if (wantReply) protocol.requestSuccess();
  };
}
