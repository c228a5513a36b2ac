import type { Duplex } from 'node:stream';
import { Client } from './ssh2.ts';
import { authHandler, defaultKeyFiles, describeAuthPlan, loadPrivateKeys, type AuthPlan } from './auth.ts';
import { unreachableFrom } from './errors.ts';
import { certificateAdvice, planCertificates } from './certificate-methods.ts';
import { hostKeyVerifier, lookupEndpoint, preferredHostKeyAlgorithms } from './host_key.ts';
import { prepareConnection } from './ssh2-cert-auth.ts';
import { ignoreHostKeyAnnouncements } from './host_keys_announced.ts';
import { readKnownHostsFiles } from './known_hosts_file.ts';
import { UnreachableError, type ConnectOptions } from './types.ts';

/** What one SSH login needs: the target itself or a bastion on the way. */
export type HopOptions = Omit<ConnectOptions, 'proxyJump' | 'become' | 'name'>;

function authenticationError(hop: HopOptions, plan: AuthPlan, problems: string[]): UnreachableError {
  const where = `${hop.user}@${hop.address}:${hop.port}`;
  const tried = describeAuthPlan(plan);
  const allProblems = [...(plan.certificates?.problems ?? []), ...problems];
  const detail = allProblems.length > 0 ? `; ${allProblems.join('; ')}` : '';
  if (tried.length === 0) {
    return new UnreachableError(
      'authentication',
      `no way to log in to ${where}: no usable key file, ssh-agent or password${detail}`,
    );
  }
  return new UnreachableError(
    'authentication',
    `authentication failed for ${where} (tried ${tried.join(', ')})${detail}; ${certificateAdvice(hop.user, plan)}`,
  );
}

/**
 * Open one authenticated SSH client, over TCP or over `sock` (a channel forwarded by a bastion).
 * The connect timeout covers TCP, handshake and authentication together.
 */
export async function openClient(hop: HopOptions, sock?: Duplex): Promise<Client> {
  const entries = await readKnownHostsFiles([hop.knownHostsFile, ...(hop.extraKnownHostsFiles ?? [])]);
  const loaded = await loadPrivateKeys(hop.privateKeyFiles, defaultKeyFiles(), hop.privateKeyPassphrase);
  const agentSocket = process.env.SSH_AUTH_SOCK || undefined;
  const certificates = await planCertificates({
    identityFiles: [...hop.privateKeyFiles, ...defaultKeyFiles()],
    certificateFiles: hop.certificateFiles ?? [],
    keys: loaded.keys,
    agentSocket,
  });
  const plan: AuthPlan = { username: hop.user, keys: loaded.keys, agentSocket, password: hop.password, certificates };
  if (describeAuthPlan(plan).length === 0) throw authenticationError(hop, plan, loaded.problems);

  const client = new Client();
  const lookup = lookupEndpoint(hop);
  return new Promise<Client>((resolve, reject) => {
    let hostKeyRejected: UnreachableError | undefined;
    let done = false;
    const finish = (error?: UnreachableError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.removeListener('ready', onReady);
      if (error === undefined) {
        resolve(client);
        return;
      }
      client.removeListener('close', onClose);
      client.on('error', () => undefined); // late errors of a client given up on
      client.destroy();
      reject(error);
    };
    const onReady = (): void => finish();
    const onClose = (): void =>
      finish(
        hostKeyRejected ??
          new UnreachableError(
            'disconnected',
            `${hop.address}:${hop.port} closed the connection before login completed`,
          ),
      );
    // ConnectTimeout 0 is no timeout, as in ssh
    const timer =
      hop.connectTimeoutMs > 0
        ? setTimeout(
            () =>
              finish(
                unreachableFrom(
                  Object.assign(new Error('timeout'), { level: 'client-timeout' }),
                  hop,
                  hop.connectTimeoutMs,
                ),
              ),
            hop.connectTimeoutMs,
          )
        : undefined;

    client.once('ready', onReady);
    client.once('close', onClose);
    client.on('error', (error: Error & { level?: string }) => {
      if (done) return;
      if (hostKeyRejected) return finish(hostKeyRejected);
      if (error.level === 'client-authentication') return finish(authenticationError(hop, plan, loaded.problems));
      finish(unreachableFrom(error, hop, hop.connectTimeoutMs));
    });
    client.connect({
      host: sock ? undefined : hop.address,
      port: sock ? undefined : hop.port,
      sock,
      username: hop.user,
      hostVerifier: hostKeyVerifier(hop, entries, (error) => (hostKeyRejected = error)),
      authHandler: authHandler(plan),
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(entries, lookup.host, lookup.port) },
      readyTimeout: hop.connectTimeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    });
    ignoreHostKeyAnnouncements(client);
    prepareConnection(client);
  });
}

/** A TCP channel from `bastion` to the next hop, to carry that hop's SSH connection. */
export function forwardThrough(bastion: Client, bastionLabel: string, next: HopOptions): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    const timer =
      next.connectTimeoutMs > 0
        ? setTimeout(
            () =>
              reject(
                new UnreachableError(
                  'timeout',
                  `bastion ${bastionLabel} did not open a channel to ${next.address}:${next.port} within ${next.connectTimeoutMs / 1000} s`,
                ),
              ),
            next.connectTimeoutMs,
          )
        : undefined;
    bastion.forwardOut('127.0.0.1', 0, next.address, next.port, (error, channel) => {
      clearTimeout(timer);
      if (!error) return resolve(channel);
      const refused = /refused|connect failed/i.test(error.message);
      reject(
        new UnreachableError(
          refused ? 'refused' : 'other',
          `bastion ${bastionLabel} could not reach ${next.address}:${next.port} (${error.message}); check the address from the bastion and that the bastion's sshd allows TCP forwarding`,
        ),
      );
    });
  });
}
