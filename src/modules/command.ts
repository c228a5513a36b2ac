import { shellQuote, ShellCommand } from '../remote/quote.ts';
import { isSecret, type Secret } from '../secrets/secret.ts';
import { planFailed, planOk, resolve, task } from '../tasks/task.ts';
import type { Host, Param, Plan, Task, TaskOptions } from '../tasks/types.ts';
import type { ExecResult } from '../transport/types.ts';
import type { Fact } from '../remote/facts.ts';

/** Parameters of `command`. */
export interface CommandParams extends TaskOptions {
  /** A command line as it is (shell text), or one built with `sh\`…\`` (every value quoted). */
  cmd: Param<string | ShellCommand>;
  /** Skip when this path exists (the command made it before). */
  creates?: Param<string>;
  /** Skip unless this path exists. */
  removes?: Param<string>;
  /** Default: always changed (false for a read-only command). */
  changedWhen?: (result: ExecResult) => boolean;
  /** Default: a non-zero exit code. */
  failedWhen?: (result: ExecResult) => boolean;
  /** Changes nothing: runs in check mode too, and never reports changed. */
  readOnly?: boolean;
  /** Sent on stdin (where a secret belongs). */
  stdin?: Param<string | Secret>;
  /** Seconds; default the run's --task-timeout. */
  timeout?: Param<number>;
}

const existsFact = (path: string): Fact<boolean> => ({
  command: `if [ -e ${shellQuote(path)} ]; then echo yes; else echo no; fi`,
  parse: (output) => output.trim() === 'yes',
});

const text = (cmd: string | ShellCommand) => (cmd instanceof ShellCommand ? cmd.text : cmd);

/**
 * A command. Skipped in check mode unless `readOnly` (then it runs in check mode too); `creates`
 * and `removes` make it idempotent.
 */
export function command(params: CommandParams): Task {
  const guards = (host: Host) => {
    const facts: Record<string, Fact<boolean>> = {};
    const creates = resolve(params.creates, host);
    const removes = resolve(params.removes, host);
    if (creates) facts.creates = existsFact(creates);
    if (removes) facts.removes = existsFact(removes);
    return facts;
  };
  const defaultName = typeof params.cmd === 'function' ? 'command' : `command ${text(params.cmd)}`.slice(0, 60);
  return task(params, {
    module: 'command',
    defaultName,
    facts: guards,
    async plan(ctx): Promise<Plan> {
      const line = text(resolve(params.cmd, ctx));
      if (!line.trim()) return planFailed('no command given');
      const guard = await ctx.gather(guards(ctx));
      if (guard.creates === true) return planOk(`skipped: ${resolve(params.creates, ctx)} exists`);
      if (guard.removes === false) return planOk(`skipped: ${resolve(params.removes, ctx)} does not exist`);
      const stdin = resolve(params.stdin, ctx);
      if (isSecret(stdin)) ctx.registerSecret(stdin);
      const seconds = resolve(params.timeout, ctx);
      const options = {
        ...(stdin !== undefined ? { stdin: isSecret(stdin) ? stdin.reveal() : stdin } : {}),
        ...(seconds ? { timeoutMs: seconds * 1000 } : {}),
      };
      const judge = (result: ExecResult) => {
        const failed = params.failedWhen ? params.failedWhen(result) : result.code !== 0;
        const output = { rc: result.code, stdout: result.stdout, stderr: result.stderr };
        return { failed, output };
      };
      if (params.readOnly) {
        const result = await ctx.read(line, options);
        const { failed, output } = judge(result);
        const message = failed
          ? `rc=${result.code}: the command failed on this host; see its output`
          : `rc=${result.code}`;
        return { status: failed ? 'failed' : 'ok', message, ...output };
      }
      return {
        status: 'change',
        message: `run \`${line}\``,
        async apply(actx) {
          const result = await actx.exec(line, options);
          const { failed, output } = judge(result);
          if (failed)
            return { ...output, failed: `rc=${result.code}: the command failed on this host; see its output` };
          const changed = params.changedWhen ? params.changedWhen(result) : true;
          return { ...output, message: `rc=${result.code}`, ...(changed ? {} : { unchanged: true }) };
        },
      };
    },
  });
}
