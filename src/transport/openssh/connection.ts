/** One host over OpenSSH: every command is an `ssh` client riding the host's master connection. */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { killCommand, planExec } from '../exec_plan.ts';
import { commandEnvironment } from '../ssh_config_exec.ts';
import { collect, type StartedProcess } from '../run.ts';
import { Semaphore } from '../semaphore.ts';
import { CHANNELS_PER_CONNECTION } from '../ssh_connection.ts';
import { UnreachableError, type Connection, type ConnectOptions, type ExecOptions, type ExecResult } from '../types.ts';
import { execArgs } from './argv.ts';
import { masterAlive, SSH, stopMaster } from './master.ts';

/**
 * A command's local `ssh` client. Stopping it stops the remote command through `kill` (see
 * planExec); the client is left to end with it, so that a pid line still on its way is read, and
 * is stopped itself only if nothing else ends it.
 */
function started(child: ChildProcess, kill: () => boolean): StartedProcess {
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', (error) => reject(new UnreachableError('other', `cannot run ${SSH}: ${error.message}`)));
    // 'close': the exit status and all the output, which the master writes straight into our pipes
    child.on('close', (code) => resolve(code ?? 255));
  });
  done.catch(() => undefined);
  return {
    stdout: child.stdout!,
    stderr: child.stderr!,
    stdin: child.stdin!,
    done,
    terminate() {
      if (!kill()) return void child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
      timer.unref();
      void done.catch(() => undefined).then(() => clearTimeout(timer));
    },
  };
}

export class OpenSshConnection implements Connection {
  readonly host: string;
  private readonly sessions = new Semaphore(CHANNELS_PER_CONNECTION);
  private lost = false;
  private closed = false;

  constructor(
    private readonly options: ConnectOptions,
    private readonly controlPath: string,
    private readonly destination: string,
  ) {
    this.host = options.name;
  }

  private lostError(command: string): UnreachableError {
    const why = this.closed ? 'the connection was closed' : 'the master connection ended';
    return new UnreachableError(
      'disconnected',
      `connection to ${this.options.user}@${this.options.address}:${this.options.port} lost (${why}) while running: ${command}; the host may have rebooted or sshd restarted`,
    );
  }

  private spawnOnHost(command: string): ChildProcess {
    return spawn(SSH, execArgs(this.controlPath, this.destination, command), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: commandEnvironment(),
    });
  }

  /**
   * Exit 255 is ssh's "the connection failed", but also a command's own 255 and a command killed
   * by a signal: only `ssh -O check` tells them apart.
   */
  private async confirmed(result: ExecResult, command: string): Promise<ExecResult> {
    if (result.code !== 255) return result;
    if (await masterAlive(this.controlPath, this.destination)) return result;
    this.lost = true;
    throw this.lostError(command);
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const release = await this.sessions.acquire();
    let process: StartedProcess | undefined;
    try {
      if (this.lost || this.closed) throw this.lostError(command);
      const { wire, spec, pid } = planExec(command, options, this.options);
      // the remote process group is killed by a command of its own, as soon as it is known
      let killWanted = false;
      const sendKill = (group: number): void => {
        if (!this.lost && !this.closed) this.spawnOnHost(killCommand(group)).on('error', () => undefined);
      };
      const onPid = spec.onPid;
      spec.onPid = (found) => {
        onPid?.(found);
        if (killWanted) sendKill(found);
      };
      const kill = (): boolean => {
        if (spec.pidMarker === undefined) return false;
        const group = pid();
        if (group === undefined) killWanted = true;
        else sendKill(group);
        return true;
      };
      process = started(this.spawnOnHost(wire), kill);
      return await this.confirmed(await collect(process, spec), command);
    } finally {
      if (process === undefined) release();
      else void process.done.catch(() => undefined).then(release);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await stopMaster(this.controlPath, this.destination);
    rmSync(`${this.controlPath}.conf`, { force: true });
    rmSync(`${this.controlPath}.log`, { force: true });
  }
}
