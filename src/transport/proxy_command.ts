/**
 * ProxyCommand as ssh runs it (sshconnect.c ssh_proxy_connect): `exec <command>` through the
 * user's shell, its stdin and stdout carrying the SSH connection, its stderr kept to explain a
 * failure. SIGHUP ends it when the connection closes, as ssh does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { commandEnvironment, userShell } from './ssh_config_exec.ts';
import { expandTokens } from './ssh_config_tokens.ts';

/** The tokens ssh expands in ProxyCommand (expand_proxy_command): %h %k %n %p %r and %%. */
export interface ProxyTokens {
  host: string;
  port: number;
  user: string;
  /** The name given to ssh (%n). */
  originalHost: string;
  /** HostKeyAlias, else the name given (%k). */
  keyAlias?: string;
}

export function expandProxyCommand(command: string, tokens: ProxyTokens, unknown?: (token: string) => void): string {
  return expandTokens(
    command,
    {
      home: '',
      localUser: '',
      host: tokens.host,
      port: tokens.port,
      remoteUser: tokens.user,
      originalHost: tokens.originalHost,
      keyAlias: tokens.keyAlias ?? tokens.originalHost,
    },
    unknown,
    'hknpr',
  );
}

const STDERR_KEPT = 4096;
const running = new Set<ChildProcess>();
let exitHook = false;

/** Ends a proxy command as ssh does (SIGHUP), then for good if it lingers. */
function hangUp(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGHUP');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

/**
 * The command's stdin and stdout as one stream for ssh2. Ending it ends the command's input, and
 * hangs up on a command that is still there half a second later; destroying it hangs up at once.
 */
function socketOver(child: ChildProcess, stop: () => void): Duplex {
  const socket = new Duplex({
    read() {
      child.stdout!.resume();
    },
    write(chunk, _encoding, callback) {
      if (child.stdin!.destroyed) return callback();
      child.stdin!.write(chunk, () => callback());
    },
    final(callback) {
      child.stdin!.end();
      const timer = setTimeout(stop, 500);
      timer.unref();
      callback();
    },
    destroy(error, callback) {
      stop();
      callback(error);
    },
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!socket.push(chunk)) child.stdout!.pause();
  });
  child.stdout!.on('end', () => socket.push(null));
  return socket;
}

/** A running ProxyCommand: `socket` is the connection ssh2 speaks over. */
export class ProxyProcess {
  readonly socket: Duplex;
  private stderrText = '';
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>;
  private hungUp = false;

  constructor(readonly command: string) {
    const child = spawn(userShell(), ['-c', `exec ${command}`], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: commandEnvironment(),
    });
    running.add(child);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const proxy of running) proxy.kill('SIGHUP');
      });
    }
    let spawnError: Error | undefined;
    this.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        spawnError = error;
        resolve({ code: null, signal: null, error });
      });
      child.once('close', (code, signal) => {
        running.delete(child);
        resolve({ code, signal, error: spawnError });
      });
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderrText = (this.stderrText + chunk).slice(-STDERR_KEPT);
    });
    child.stdin!.on('error', () => undefined); // EPIPE once the command is gone: its exit tells why
    const stop = () => {
      this.hungUp = true;
      hangUp(child);
    };
    this.socket = socketOver(child, stop);
    void this.exited.then(() => {
      if (!this.socket.destroyed) this.socket.destroy();
    });
  }

  /** The command's standard error so far, trimmed (the last few kilobytes). */
  get stderr(): string {
    return this.stderrText.trim();
  }

  /**
   * Why the connection failed, in the command's words: its exit status and stderr if it ended
   * on its own (within `waitMs`), else `undefined` (it was still running when given up on).
   */
  async exitedOnItsOwn(waitMs: number): Promise<{ status: string } | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
    });
    const exit = await Promise.race([this.exited, waited]);
    clearTimeout(timer);
    if (exit === undefined) return undefined;
    if (exit.error) return { status: `could not be started (${exit.error.message})` };
    if (exit.signal !== null) return this.hungUp ? undefined : { status: `was killed by ${exit.signal}` };
    return { status: `exited with status ${exit.code}` };
  }

  close(): void {
    this.socket.destroy();
  }
}
