import { redact } from '../report/secrets.ts';
import { certificatesNeedOpenSsh } from '../transport/certificate-client-choice.ts';
import { chooseSshClient, type SshClient, type SshClientSetting } from '../transport/client-choice.ts';
import { identityKeyTypes } from '../transport/identity-types.ts';
import { kerberosTicketPresent } from '../transport/kerberos.ts';
import { SYSTEM_SSH_CONFIG } from '../transport/resolve.ts';
import { ssh2CertificateProblem } from '../transport/ssh2.ts';
import { connect, connectLocal, resolveConnectOptions, type ResolvedConnectOptions } from '../transport/index.ts';
import { connectOpenSsh, describeGroups } from '../transport/openssh/index.ts';
import { openSshOptions } from '../transport/openssh/from-resolved.ts';
import { UnreachableError, type Connection, type HostKeyChecking } from '../transport/types.ts';
import type { HostTarget } from '../runner/host-run.ts';

export interface ConnectorSettings {
  sshConfigFile?: string;
  knownHostsFile?: string;
  hostKeyChecking?: HostKeyChecking;
  connectTimeoutMs: number;
  /** -T/--connect-timeout was given: it wins over ConnectTimeout in the ssh config, as `ssh -o` does. */
  connectTimeoutExplicit?: boolean;
  /** -k: the SSH password for hosts whose inventory gives none. */
  password?: string;
  commandTimeoutMs?: number;
  becomePassword?: string;
  keyPassphrase?: string;
  retries: number;
  /** Base delay between attempts; doubled each time. */
  retryDelayMs?: number;
  /** An interrupted run makes no further attempts. */
  signal?: AbortSignal;
  /** Told of each attempt that will be made again (under -v): which host, why, and the wait. */
  onRetry?: (line: string) => void;
  /** --ssh-client: wins over each host's sls_ssh_client. */
  sshClient?: SshClientSetting;
  /** -v: told once per host which SSH client it uses and why. */
  log?: (host: string, line: string) => void;
}

/**
 * A refused or timed-out connection is worth another try, and so is one the server drops during
 * the handshake (a busy sshd's MaxStartups or LoginGraceTime); a key or login problem is not.
 */
const RETRYABLE = new Set(['refused', 'timeout', 'disconnected']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How to open the host's connection with the chosen client (for OpenSSH, -v shows the master's command line). */
function opener(
  target: HostTarget,
  options: ResolvedConnectOptions,
  client: SshClient,
  settings: ConnectorSettings,
): () => Promise<Connection> {
  if (client === 'ssh2') return () => connect(options);
  const openssh = openSshOptions(options, target.vars, {
    sshConfigFile: settings.sshConfigFile,
    knownHostsFile: settings.knownHostsFile,
    hostKeyCheckingExplicit: settings.hostKeyChecking !== undefined,
  });
  let described = false;
  openssh.describe = (groups) => {
    if (described) return;
    described = true;
    for (const line of describeGroups(groups)) settings.log?.(target.name, `ssh ${line}`);
  };
  return () => connectOpenSsh(openssh);
}

/** Opens the connection, trying again after a refused, timed-out or dropped attempt, with backoff. */
async function withRetries(
  host: string,
  open: () => Promise<Connection>,
  settings: ConnectorSettings,
): Promise<Connection> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      const retry =
        error instanceof UnreachableError &&
        RETRYABLE.has(error.reason) &&
        attempt < settings.retries &&
        !settings.signal?.aborted;
      if (!retry) {
        if (error instanceof UnreachableError && attempt > 0) {
          throw new UnreachableError(error.reason, `${error.message} (after ${attempt + 1} attempts)`);
        }
        throw error;
      }
      const delayMs = (settings.retryDelayMs ?? 500) * 2 ** attempt;
      const next = `attempt ${attempt + 2} of ${settings.retries + 1}`;
      settings.onRetry?.(
        redact(`${host}: ${(error as Error).message}; trying again in ${(delayMs / 1000).toFixed(1)} s (${next})`),
      );
      await sleep(delayMs);
    }
  }
}

export function makeConnector(settings: ConnectorSettings): (target: HostTarget) => Promise<Connection> {
  const warned = new Set<string>();
  return async (target) => {
    const options = resolveConnectOptions(target.name, target.vars, {
      sshConfigFile: settings.sshConfigFile,
      knownHostsFile: settings.knownHostsFile,
      hostKeyChecking: settings.hostKeyChecking ?? 'strict',
      hostKeyCheckingExplicit: settings.hostKeyChecking !== undefined,
      connectTimeoutMs: settings.connectTimeoutMs,
      connectTimeoutExplicit: settings.connectTimeoutExplicit,
      password: settings.password,
      commandTimeoutMs: settings.commandTimeoutMs,
      becomePassword: settings.becomePassword,
      keyPassphrase: settings.keyPassphrase,
    });
    const choice = chooseSshClient({
      host: target.name,
      option: settings.sshClient,
      vars: target.vars,
      config: options.sshConfig,
      identityKeyTypes: identityKeyTypes(options.privateKeyFiles),
      unhonouredSshArgs: options.unhonouredSshArgs,
      systemConfigFile: process.env.SLS_PLAY_SYSTEM_SSH_CONFIG || SYSTEM_SSH_CONFIG,
      kerberosTicket: kerberosTicketPresent(process.getuid?.()),
      certificates: await certificatesNeedOpenSsh(options, ssh2CertificateProblem()),
    });
    // e.g. a become method sls-play does not have: say so rather than ignore it silently (what
    // the ssh config reader skipped does not matter where ssh itself reads the config)
    for (const warning of options.warnings) {
      if (warned.has(warning) || (choice.client === 'openssh' && warning.startsWith('ssh config '))) continue;
      warned.add(warning);
      process.stderr.write(`warning: ${redact(warning)}\n`);
    }
    // ansible_connection: local (or -c local): the controller runs the commands itself
    if (options.connection === 'local') return connectLocal(target.name, options);
    settings.log?.(target.name, `ssh client: ${choice.client} (${choice.reason})`);
    return withRetries(target.name, opener(target, options, choice.client, settings), settings);
  };
}
