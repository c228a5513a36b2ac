import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import { becomeCommand, needsBecome } from './become.ts';
import { collect, type RunSpec } from './run.ts';
import type { BecomeSettings, Connection, ExecOptions, ExecResult } from './types.ts';

/** `--connection local`: the same exec semantics as SSH, run by bash on this machine. */
export class LocalConnection implements Connection {
  private readonly user = userInfo().username;

  constructor(
    readonly host: string,
    private readonly settings: { become?: BecomeSettings; commandTimeoutMs?: number } = {},
  ) {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const spec: RunSpec = {
      command,
      stdin: options.stdin,
      timeoutMs: options.timeoutMs ?? this.settings.commandTimeoutMs,
      stages: options.stages,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
      holdStdinUntil: options.holdStdinUntil,
    };
    let wire = command;
    const become = this.settings.become;
    const becomeUser = become?.user ?? 'root';
    if ((options.become ?? become?.enabled ?? false) && needsBecome(this.user, becomeUser)) {
      const plan = becomeCommand(command, becomeUser, become?.password !== undefined);
      wire = plan.command;
      spec.become = {
        plan,
        password: become?.password,
        context: { loginUser: this.user, becomeUser, host: this.host },
      };
    }
    // Its own process group, so a timeout stops the whole pipeline, not just bash.
    const child = spawn('bash', ['-c', wire], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const done = new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code ?? 255));
    });
    done.catch(() => undefined);
    return collect(
      {
        stdout: child.stdout,
        stderr: child.stderr,
        stdin: child.stdin,
        done,
        terminate() {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
          } catch {
            // already gone
          }
        },
      },
      spec,
    );
  }

  async close(): Promise<void> {}
}

export function connectLocal(
  name: string,
  settings: { become?: BecomeSettings; commandTimeoutMs?: number } = {},
): Promise<Connection> {
  return Promise.resolve(new LocalConnection(name, settings));
}
