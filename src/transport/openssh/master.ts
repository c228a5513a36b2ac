/** The master `ssh` of one host: started once, asked whether it lives, told to exit at the end. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { unreachableFrom } from '../errors.ts';
import { commandEnvironment } from '../ssh_config_exec.ts';
import { readKnownHostsFiles } from '../known_hosts_file.ts';
import { UnreachableError } from '../types.ts';
import { controlArgs } from './argv.ts';
import { removeControlDirectory } from './control-path.ts';
import { masterFailure, type MasterTarget } from './errors.ts';

/** The system's ssh; SLS_PLAY_SSH names another (a wrapper, a newer build). */
export const SSH = process.env.SLS_PLAY_SSH || 'ssh';

/** Masters of this process still open: closed on the way out, or they would outlive the run. */
const open = new Map<string, string>();
let cleanupInstalled = false;

function closeLeftOvers(): void {
  for (const [path, destination] of open) {
    spawnSync(SSH, controlArgs(path, destination, 'exit'), { stdio: 'ignore', timeout: 2_000 });
  }
  open.clear();
  removeControlDirectory();
}

function noSsh(error: Error): UnreachableError {
  return new UnreachableError(
    'other',
    `cannot run ${SSH} (${error.message}); install the OpenSSH client or use --ssh-client ssh2`,
  );
}

/** What ssh said: its log file (-E) and the stderr of its ProxyCommand or ProxyJump, without the debug lines. */
function saidBy(logFile: string, stderr: string): string {
  let log = '';
  try {
    log = readFileSync(logFile, 'utf8');
  } catch {
    log = '';
  }
  return `${stderr}\n${log}`
    .split(/\r?\n/)
    .filter((line) => !/^debug\d: /.test(line))
    .join('\n');
}

/**
 * Start the master and wait until it has logged in: with ControlPersist, ssh goes to the
 * background once the connection is up, and the foreground process exits 0. A ProxyCommand keeps
 * our stderr pipe for as long as it runs, so its end is never waited for; it is drained (closing
 * it would kill the proxy with SIGPIPE) and no longer holds the process open.
 */
export function startMaster(
  args: string[],
  controlPath: string,
  destination: string,
  target: MasterTarget,
): Promise<void> {
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', closeLeftOvers);
  }
  const logFile = args[args.indexOf('-E') + 1]!;
  // a ProxyCommand or Match exec that ssh runs gets the environment less sls-play's own secrets
  const child = spawn(SSH, args, { stdio: ['ignore', 'ignore', 'pipe'], env: commandEnvironment() });
  let stderr = '';
  const collect = (chunk: Buffer): void => {
    if (stderr.length < 65_536) stderr += chunk.toString('utf8');
  };
  child.stderr.on('data', collect);
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: UnreachableError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stderr.off('data', collect);
      child.stderr.resume();
      (child.stderr as Socket).unref?.();
      if (error) reject(error);
      else {
        open.set(controlPath, destination);
        resolve();
      }
    };
    // ConnectTimeout covers the TCP connection and the banner; this covers the login too, as with ssh2
    const timer =
      target.connectTimeoutMs > 0
        ? setTimeout(() => {
            child.kill('SIGTERM');
            // it may have logged in and gone to the background a moment ago: that master must go too
            open.set(controlPath, destination);
            void stopMaster(controlPath, destination);
            finish(
              unreachableFrom(
                Object.assign(new Error('timeout'), { level: 'client-timeout' }),
                target,
                target.connectTimeoutMs,
              ),
            );
          }, target.connectTimeoutMs)
        : undefined;
    child.on('error', (error) => finish(noSsh(error)));
    child.on('exit', (code) => {
      if (code === 0) return finish();
      // give a proxy's last words a moment to arrive
      setTimeout(() => {
        const said = saidBy(logFile, stderr);
        readKnownHostsFiles([target.knownHostsFile, ...(target.extraKnownHostsFiles ?? [])]).then(
          (entries) => finish(masterFailure(said, code, target, entries)),
          () => finish(masterFailure(said, code, target)),
        );
      }, 50);
    });
  });
}

function control(controlPath: string, destination: string, operation: 'check' | 'exit'): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(SSH, controlArgs(controlPath, destination, operation), { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

/** `ssh -O check`: whether the master still holds the connection. */
export function masterAlive(controlPath: string, destination: string): Promise<boolean> {
  return control(controlPath, destination, 'check');
}

/** `ssh -O exit`: the master closes the connection and removes its socket. */
export async function stopMaster(controlPath: string, destination: string): Promise<void> {
  if (!open.has(controlPath)) return;
  open.delete(controlPath);
  await control(controlPath, destination, 'exit');
}
