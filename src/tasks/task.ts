import type { Fact } from '../remote/facts.ts';
import { CommandTimeoutError } from '../transport/types.ts';
import type {
  Applied,
  ApplyContext,
  Host,
  Param,
  Plan,
  PlanBase,
  PlanContext,
  RemoteChange,
  Task,
  TaskOptions,
} from './types.ts';

const list = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

/** The value of a parameter for this host. */
export function resolve<T>(param: Param<T>, host: Host): T {
  return typeof param === 'function' ? (param as (host: Host) => T)(host) : param;
}

export interface ModuleDefinition {
  module: string;
  /** The name when the user gives none, e.g. "file /etc/motd". */
  defaultName: string;
  facts?(host: Host): Record<string, Fact<unknown>>;
  /** See Task.plansAhead. */
  plansAhead?(host: Host): boolean;
  plan(ctx: PlanContext): Promise<Plan>;
}

/** Builds a task from a module's plan and the options every task takes. */
export function task(options: TaskOptions, definition: ModuleDefinition): Task {
  return {
    name: options.name ?? definition.defaultName,
    module: definition.module,
    when: options.when,
    notify: list(options.notify),
    listen: list(options.listen),
    tags: options.tags ?? [],
    become: options.become,
    onFailure: options.onFailure,
    facts: definition.facts,
    plansAhead: definition.plansAhead,
    plan: definition.plan,
  };
}

/**
 * A task of your own: give its plan (read, decide, and return ok / failed / a change with its
 * apply). The runner applies the change, never in `--check`.
 */
export function custom(
  options: TaskOptions & { name: string; plan(ctx: PlanContext): Promise<Plan>; plansAhead?: boolean },
): Task {
  const ahead = options.plansAhead;
  return task(options, {
    module: 'custom',
    defaultName: options.name,
    plan: options.plan,
    ...(ahead ? { plansAhead: () => ahead } : {}),
  });
}

/** Plan results, for modules and custom tasks. */
export type PlanExtra = Omit<PlanBase, 'message'>;
/** Nothing to do: the host is as wanted (message: what it is). */
export const planOk = (message: string, extra: PlanExtra = {}): Plan => ({ ...extra, status: 'ok', message });
/** The task fails on this host (message: what is wrong and what to do). */
export const planFailed = (message: string, extra: PlanExtra = {}): Plan => ({ ...extra, status: 'failed', message });
/** The task does not apply to this host (message: why). */
export const planSkipped = (message: string): Plan => ({ status: 'skipped', message });

/** Runs a remote change on its own: one command, its answer interpreted. */
export async function runRemoteChange(ctx: Pick<ApplyContext, 'exec'>, remote: RemoteChange): Promise<Applied> {
  try {
    return remote.interpret(
      await ctx.exec(remote.command, {
        ...(remote.stdin !== undefined ? { stdin: remote.stdin } : {}),
        ...(remote.timeoutMs ? { timeoutMs: remote.timeoutMs } : {}),
      }),
    );
  } catch (error) {
    if (error instanceof CommandTimeoutError && remote.timedOut) return remote.timedOut(error);
    throw error;
  }
}

/** A change plan from its remote command: `apply` runs it alone; the runner may batch it with handlers. */
export function remoteChange(
  message: string,
  remote: RemoteChange,
  extra: Omit<PlanBase, 'message'> & { diff?: Extract<Plan, { status: 'change' }>['diff'] } = {},
): Plan {
  return { ...extra, status: 'change', message, remote, apply: (ctx) => runRemoteChange(ctx, remote) };
}
