import { redact } from '../report/secrets.ts';
import { connect, connectLocal, resolveConnectOptions } from '../transport/index.ts';
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
}

/**
 * A refused or timed-out connection is worth another try, and so is one the server drops during
 * the handshake (a busy sshd's MaxStartups or LoginGraceTime); a key or login problem is not.
 */
const RETRYABLE = new Set(['refused', 'timeout', 'disconnected']);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    // e.g. ansible_ssh_common_args that sls-play does not obey: say so rather than ignore it silently
    for (const warning of options.warnings) {
      if (warned.has(warning)) continue;
      warned.add(warning);
      process.stderr.write(`warning: ${redact(warning)}\n`);
    }
    // ansible_connection: local (or -c local): the controller runs the commands itself
    if (options.connection === 'local') return connectLocal(target.name, options);
    for (let attempt = 0; ; attempt++) {
      try {
        return await connect(options);
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
          redact(
            `${target.name}: ${(error as Error).message}; trying again in ${(delayMs / 1000).toFixed(1)} s (${next})`,
          ),
        );
        await sleep(delayMs);
      }
    }
  };
}
