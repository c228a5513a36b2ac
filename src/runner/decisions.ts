/**
 * What a host's run decides without touching the host: which handlers a task reaches, whether a
 * task's `when` skips it, whether the host goes on after a step, which handlers may ride in one
 * command with a change, and what the owed record holds after each part of that command.
 */
import { handlerTopics } from '../playbook/define.ts';
import type { OwedLedger } from '../tasks/owed/ledger.ts';
import type { OwedEntry } from '../tasks/owed/record.ts';
import type { Host, Task } from '../tasks/types.ts';
import { reportThrown, stopped } from './task-step.ts';
import type { BatchPart, StepReport } from './types.ts';

/** Why a host ran its handlers although a task failed. */
export const FORCED_HANDLERS = 'a task failed; the notified handlers ran anyway (--force-handlers)';

/** Is this handler reached by one of these names or topics (its own name, or one it `listen`s to)? */
export function isNotified(handler: Task, topics: ReadonlySet<string>): boolean {
  return handlerTopics(handler).some((topic) => topics.has(topic));
}

/** The handlers a task's `notify` names reach (by name or `listen` topic), in declaration order. */
export function handlersNotifiedBy(task: Task, handlers: readonly Task[]): string[] {
  return handlers.filter((h) => isNotified(h, new Set(task.notify))).map((h) => h.name);
}

/** A step's message with why it ran (an owed handler's reason); a stopped step keeps its own words. */
export function withWhy(step: StepReport, why: string | undefined): StepReport {
  return why && !stopped(step) ? { ...step, message: `${step.message} (${why})` } : step;
}

/** The skipped step when `when` is false here; a `when` that throws (a variable of the wrong type) fails the host. */
export function whenSkips(task: Task, host: Host): StepReport | undefined {
  try {
    return !task.when || task.when(host)
      ? undefined
      : { name: task.name, status: 'skipped', message: 'condition (when) not met on this host' };
  } catch (error) {
    return reportThrown(task.name, error);
  }
}

/**
 * After a task's step: the next task, or the host stops (a failed host keeps its notified handlers
 * owed for the next run), or — with `--force-handlers`, as Ansible's `force_handlers` — straight
 * to the handlers notified so far.
 */
export function afterTaskStep(step: StepReport, forceHandlers: boolean | undefined): 'next' | 'stop' | 'handlers' {
  if (step.status === 'unreachable') return 'stop';
  if (step.status === 'failed') return forceHandlers ? 'handlers' : 'stop';
  return 'next';
}

/**
 * May this handler follow `parts` in one command? Not after a part that may exit 0 without a
 * change (the handler could not tell whether it is due), not when its `when` is false here, not as
 * another user than the first part, and, after the first part, only when it can plan before the
 * parts before it ran (`plansAhead`). Its own plan must then be one remote command without stdin.
 */
export function mayJoinBatch(handler: Task, parts: readonly BatchPart[], host: Host): boolean {
  const previous = parts.at(-1);
  if (previous && !previous.change.remote?.changes) return false;
  if (whenSkips(handler, host) || (parts[0] && handler.become !== parts[0].task.become)) return false;
  return parts.length === 0 || Boolean(handler.plansAhead?.(host));
}

/**
 * What the owed record holds once each part of a batch succeeded: a handler's part clears that
 * handler (and those before it); a task's part leaves the record as it is (undefined).
 */
export function recordAfterEach(
  tasks: readonly Task[],
  handlers: readonly Task[],
  ledger: OwedLedger,
): (string | null | undefined)[] {
  const cleared: string[] = [];
  return tasks.map((task) => {
    if (!handlers.includes(task)) return undefined;
    cleared.push(task.name);
    return ledger.contentWithout(cleared);
  });
}

/** The "owed handlers" step: what an earlier run left owed here, and why; or the record's warnings. */
export function owedAtStartStep(ledger: OwedLedger, inherited: readonly OwedEntry[]): StepReport {
  const message = inherited.length
    ? inherited.map((e) => `${e.handler}: ${ledger.inheritedReason(e.handler)}`).join('; ')
    : 'none owed';
  return {
    name: 'owed handlers',
    status: 'ok',
    message,
    ...(ledger.warnings.length ? { warnings: ledger.warnings } : {}),
  };
}
