import type { ShellCommand } from '../remote/quote.ts';
import { resolve, task } from '../tasks/task.ts';
import type { Host, Param, Plan, Task, TaskOptions } from '../tasks/types.ts';

/** What a check says: pass or not, in words; `warning` passes with a warning. */
export interface Verdict {
  /** Whether the check passed. */
  ok: boolean;
  /** What was found, in words. */
  message: string;
  /** Passed, but with a warning shown beside it. */
  warning?: boolean;
}

/** Parameters of `assert`. */
export interface AssertParams extends TaskOptions {
  /**
   * The check: a function of the host (its vars and gathered facts) giving true/false or a
   * verdict, or a read-only command (shell text or `sh\`…\``) whose exit code 0 passes.
   */
  that: ((host: Host) => boolean | Verdict) | string | ShellCommand;
  /** Said when the check fails (default: what failed). */
  message?: Param<string>;
  /** A failure is a warning and the host carries on. */
  warnOnly?: boolean;
}

/** A read-only check: runs in check mode too, changes nothing, fails the host (or warns). */
export function assert(params: AssertParams): Task {
  return task(params, {
    module: 'assert',
    defaultName: typeof params.that === 'function' ? 'assert' : `assert ${String(params.that)}`.slice(0, 60),
    async plan(ctx): Promise<Plan> {
      const verdict = await judge(params, ctx);
      const message = verdict.ok ? verdict.message : (resolve(params.message, ctx) ?? verdict.message);
      if (verdict.ok) return { status: 'ok', message, ...(verdict.warning ? { warnings: [message] } : {}) };
      if (params.warnOnly) return { status: 'ok', message, warnings: [message] };
      return { status: 'failed', message };
    },
  });
}

async function judge(params: AssertParams, ctx: Parameters<Task['plan']>[0]): Promise<Verdict> {
  if (typeof params.that === 'function') {
    const answer = params.that(ctx);
    return typeof answer === 'boolean' ? { ok: answer, message: answer ? 'passed' : 'assertion failed' } : answer;
  }
  const line = String(params.that);
  const result = await ctx.read(line);
  const why = (result.stderr || result.stdout).trim().split('\n').pop();
  return result.code === 0
    ? { ok: true, message: `\`${line}\` passed` }
    : { ok: false, message: `\`${line}\` failed (exit ${result.code}${why ? `: ${why}` : ''})` };
}
