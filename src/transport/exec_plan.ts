import { randomBytes } from 'node:crypto';
import { becomeCommand, needsBecome } from './become.ts';
import type { RunSpec } from './run.ts';
import type { ConnectOptions, ExecOptions } from './types.ts';

/** What goes over the wire for one command, and how its output is read: the same for every SSH client. */
export interface ExecPlan {
  /** The command as sent: wrapped in sudo for become, prefixed with its pid line when it can time out. */
  wire: string;
  spec: RunSpec;
  /** The remote process group to kill on a timeout, once its first stderr line has named it. */
  pid(): number | undefined;
}

/**
 * Wrap a command for become (sudo's marker protocol, see become.ts) and, when it can time out,
 * make it name its process group first: sshd refuses signals to root sessions without privilege
 * separation, so a timed-out command is killed by a `kill` sent as a command of its own.
 */
export function planExec(command: string, options: ExecOptions, connection: ConnectOptions): ExecPlan {
  const spec: RunSpec = {
    command,
    stdin: options.stdin,
    timeoutMs: options.timeoutMs ?? connection.commandTimeoutMs,
    stages: options.stages,
    onStdout: options.onStdout,
    onStderr: options.onStderr,
    holdStdinUntil: options.holdStdinUntil,
  };
  let wire = command;
  const become = connection.become;
  const becomeUser = become?.user ?? 'root';
  if ((options.become ?? become?.enabled ?? false) && needsBecome(connection.user, becomeUser)) {
    const plan = becomeCommand(command, becomeUser, become?.password !== undefined);
    wire = plan.command;
    spec.become = {
      plan,
      password: become?.password,
      context: { loginUser: connection.user, becomeUser, host: connection.name },
    };
  }
  let pid: number | undefined;
  if (spec.timeoutMs !== undefined && spec.timeoutMs > 0) {
    spec.pidMarker = `SLSPLAY-PID-${randomBytes(6).toString('hex')}`;
    spec.onPid = (found) => (pid = found);
    wire = `printf '%s %s\\n' ${spec.pidMarker} "$$" >&2\n${wire}`;
  }
  return { wire, spec, pid: () => pid };
}

/** The command that stops a timed-out command's whole process group. */
export function killCommand(pid: number): string {
  return `kill -TERM -- -${pid} 2>/dev/null`;
}
