import type { Readable, Writable } from 'node:stream';
import { becomeFailure, type BecomeContext, type BecomePlan } from './become.ts';
import { CommandTimeoutError, type ExecResult } from './types.ts';

/** A started command, whether an SSH channel or a local child process. */
export interface StartedProcess {
  stdout: Readable;
  stderr: Readable;
  stdin: Writable;
  /** Settles once the process has exited and its output is drained: the exit code (255 for a signal). */
  done: Promise<number>;
  /** Stop it: signal the process where possible and close the streams. */
  terminate(): void;
}

export interface RunSpec {
  /** The command as the caller wrote it, for error messages (never the sudo wrapper). */
  command: string;
  stdin?: string | Buffer;
  timeoutMs?: number;
  become?: { plan: BecomePlan; password?: string; context: BecomeContext };
  /** The command's first stderr line is `<marker> <pid>`: taken off and handed to onPid. */
  pidMarker?: string;
  onPid?: (pid: number) => void;
  /** See ExecOptions.stages and onStdout. */
  stages?: { marker: string; timeoutMs?: number }[];
  onStdout?: (chunk: string) => void;
  /** See ExecOptions.onStderr and holdStdinUntil. */
  onStderr?: (chunk: string) => void;
  holdStdinUntil?: Promise<unknown>;
}

function indexAfter(haystack: string, needle: string, from = 0): number {
  const at = haystack.indexOf(needle, from);
  return at === -1 ? -1 : at + needle.length;
}

/**
 * Collect a started command's output and exit code, feed its stdin, enforce its timeout, and
 * speak sudo's side of the become protocol (see become.ts).
 */
export function collect(process: StartedProcess, spec: RunSpec): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      action();
    };
    const fail = (error: Error): void => settle(() => reject(error));

    process.stdin.on('error', () => undefined); // the command may exit without reading its input
    const sendStdin = (): void => {
      if (spec.stdin !== undefined && spec.stdin.length > 0) process.stdin.write(spec.stdin);
      if (spec.holdStdinUntil === undefined) return void process.stdin.end();
      const end = () => process.stdin.end();
      spec.holdStdinUntil.then(end, end);
    };

    const become = spec.become;
    let sudoSaid = '';
    let ready = become === undefined;
    let prompts = 0;
    // A staged command: each stage's marker on stdout restarts the timeout with the stage's own.
    let stage = -1;
    let seen = '';
    const armFor = (index: number): void => {
      const timeoutMs = index < 0 ? spec.timeoutMs : (spec.stages![index]!.timeoutMs ?? spec.timeoutMs);
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (settled || timeoutMs === undefined || timeoutMs <= 0) return;
      timer = setTimeout(() => {
        process.terminate();
        fail(new CommandTimeoutError(spec.command, timeoutMs, index < 0 ? undefined : index));
      }, timeoutMs);
    };
    process.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (spec.onStdout) spec.onStdout(chunk.toString('utf8'));
      if (!spec.stages) return;
      seen += chunk.toString('utf8');
      let next = stage + 1;
      while (next < spec.stages.length && seen.includes(`${spec.stages[next]!.marker}\n`)) next++;
      if (next - 1 > stage) {
        stage = next - 1;
        // keep only what a marker split across chunks needs
        seen = seen.slice(seen.lastIndexOf(`${spec.stages[stage]!.marker}\n`));
        armFor(stage);
      }
    });
    let pidLine: Buffer | undefined = spec.pidMarker === undefined ? undefined : Buffer.alloc(0);
    process.stderr.on('data', (chunk: Buffer) => {
      if (pidLine === undefined) return onStderr(chunk);
      pidLine = Buffer.concat([pidLine, chunk]);
      const end = pidLine.indexOf(10);
      if (end === -1) return;
      const [marker, pid] = pidLine.subarray(0, end).toString('latin1').split(' ');
      const rest = pidLine.subarray(end + 1);
      pidLine = undefined;
      if (marker === spec.pidMarker && pid !== undefined && /^\d+$/.test(pid)) spec.onPid?.(Number(pid));
      if (rest.length > 0) onStderr(rest);
    });
    const onStderr = (chunk: Buffer): void => {
      if (ready || become === undefined) {
        spec.onStderr?.(chunk.toString('utf8'));
        return void stderr.push(chunk);
      }
      sudoSaid += chunk.toString('utf8');
      if (become.plan.prompt !== undefined) {
        let seen = 0;
        const prompt = become.plan.prompt;
        for (let at = indexAfter(sudoSaid, prompt, 0); at !== -1; at = indexAfter(sudoSaid, prompt, at)) seen++;
        for (; prompts < seen; prompts++) {
          if (prompts === 0) {
            process.stdin.write(`${become.password ?? ''}\n`);
          } else {
            // Asked again: the password was refused. Stop before sudo's retries lock the account.
            process.terminate();
            fail(becomeFailure('Sorry, try again.', 1, become.context));
            return;
          }
        }
      }
      const readyAt = indexAfter(sudoSaid, `${become.plan.ready}\n`);
      if (readyAt === -1) return;
      ready = true;
      const rest = sudoSaid.slice(readyAt);
      if (rest !== '') {
        spec.onStderr?.(rest);
        stderr.push(Buffer.from(rest, 'utf8'));
      }
      if (become.plan.prompt !== undefined) sendStdin();
    };

    if (become === undefined || become.plan.prompt === undefined) sendStdin();

    armFor(stage);

    process.done.then(
      (code) => {
        if (become !== undefined && !ready) return fail(becomeFailure(sudoSaid, code, become.context));
        settle(() =>
          resolve({
            code,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
          }),
        );
      },
      (error: Error) => fail(error),
    );
  });
}
