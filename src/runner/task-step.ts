/**
 * One task as a step of a host's run: plan it, then (never in check mode) apply its change, and
 * undo what a failing handler's `onFailure.restore` task wrote.
 */
import { RunLockError } from '../remote/run-lock.ts';
import { restoreBackup } from '../remote/write-file.ts';
import { unifiedDiff } from '../secrets/masked-diff.ts';
import { OwedRecordError, type HostSession } from '../tasks/context.ts';
import type { Applied, Plan, Task, Written } from '../tasks/types.ts';
import { CommandTimeoutError, UnreachableError } from '../transport/types.ts';
import type { ChangePlan, HostRunSettings, Planned, StepReport } from './types.ts';

/** Turns anything a task throws into a step report: a lost host is unreachable, the rest failed. */
export function reportThrown(step: string, error: unknown): StepReport {
  if (error instanceof UnreachableError) return { name: step, status: 'unreachable', message: error.message };
  if (error instanceof OwedRecordError) return { name: step, status: 'failed', message: error.message };
  // the run lock taken inside the task's command: the host is another run's, the task never ran
  if (error instanceof RunLockError) return { name: 'run lock', status: 'failed', message: error.message };
  if (error instanceof CommandTimeoutError) {
    return { name: step, status: 'failed', message: `${error.message}; raise --task-timeout or look at the host` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    name: step,
    status: 'failed',
    message:
      error instanceof Error && error.name === 'FactError'
        ? `${message}: fix the host or the path, then rerun`
        : `unexpected error: ${message}`,
  };
}

export const stopped = (step: StepReport) => step.status === 'failed' || step.status === 'unreachable';

export async function planTask(task: Task, session: HostSession, settings: HostRunSettings): Promise<Planned> {
  let plan: Plan;
  try {
    plan = await task.plan(session.planContext(task.become));
  } catch (error) {
    return { step: reportThrown(task.name, error) };
  }
  const planOutput = plan.rc !== undefined ? { rc: plan.rc, stdout: plan.stdout ?? '', stderr: plan.stderr ?? '' } : {};
  const base: StepReport = {
    name: task.name,
    status: 'ok',
    message: plan.message,
    ...planOutput,
    ...(plan.warnings?.length ? { warnings: plan.warnings } : {}),
    ...(plan.facts ? { facts: plan.facts } : {}),
    ...(plan.drift?.length ? { drift: plan.drift } : {}),
  };
  if (plan.status !== 'change') return { step: { ...base, status: plan.status } };
  const diff =
    settings.diff && plan.diff
      ? unifiedDiff(plan.diff.path, plan.diff.before, plan.diff.after, {
          secretKeys: plan.diff.secretKeys,
          redact: (text) => settings.redactor.redact(text),
        }) || undefined
      : undefined;
  const withDiff = { ...base, ...(diff ? { diff } : {}) };
  if (settings.check) return { step: { ...withDiff, status: 'changed', message: `would ${plan.message}` } };
  return { change: plan, base: withDiff };
}

/** The step an applied change ends as; what it wrote is remembered for a handler's rollback. */
export function appliedStep(
  task: Task,
  change: ChangePlan,
  base: StepReport,
  applied: Applied,
  writes: Map<Task, Written>,
): StepReport {
  if (applied.wrote) writes.set(task, applied.wrote);
  const output =
    applied.rc !== undefined ? { rc: applied.rc, stdout: applied.stdout ?? '', stderr: applied.stderr ?? '' } : {};
  const warnings = [...(change.warnings ?? []), ...(applied.warnings ?? [])];
  return {
    ...base,
    ...output,
    ...(warnings.length ? { warnings } : {}),
    status: applied.failed ? 'failed' : applied.unchanged ? 'ok' : 'changed',
    message: applied.failed ?? applied.message ?? change.message,
  };
}

/**
 * Applies a planned change. The handlers it notifies are owed on the host before it is made (the
 * record rides with the apply's first command); a change that turns out to be none owes nothing.
 */
export async function applyChange(
  task: Task,
  planned: Extract<Planned, { change: unknown }>,
  session: HostSession,
  writes: Map<Task, Written>,
  notifies: readonly string[],
): Promise<StepReport> {
  const newlyOwed = session.owed?.ledger.owe(notifies, task.name) ?? [];
  try {
    const applied = await planned.change.apply(session.applyContext(task.become));
    if (!applied.failed && applied.unchanged) session.owed?.ledger.clear(newlyOwed);
    session.forgetFacts();
    return appliedStep(task, planned.change, planned.base, applied, writes);
  } catch (error) {
    session.forgetFacts();
    return reportThrown(task.name, error);
  }
}

/** Plans one task and, unless in check mode, applies its change; a failure may undo and retry. */
export async function runTask(
  task: Task,
  session: HostSession,
  settings: HostRunSettings,
  writes: Map<Task, Written>,
  notifies: readonly string[],
): Promise<StepReport> {
  const planned = await planTask(task, session, settings);
  const step = 'step' in planned ? planned.step : await applyChange(task, planned, session, writes, notifies);
  return recoverFailure(task, step, session, settings, writes);
}

/** A failed task with `onFailure.restore` undoes what that task wrote and tries once more. */
export async function recoverFailure(
  task: Task,
  step: StepReport,
  session: HostSession,
  settings: HostRunSettings,
  writes: Map<Task, Written>,
): Promise<StepReport> {
  return step.status === 'failed' && task.onFailure && !settings.check
    ? undoAndRetry(task, step, session, settings, writes)
    : step;
}

/**
 * A task with `onFailure.restore` failed: undo exactly what the named task wrote on this host in
 * this run (nothing, if it wrote nothing), then try the failed task once more.
 */
async function undoAndRetry(
  task: Task,
  failed: StepReport,
  session: HostSession,
  settings: HostRunSettings,
  writes: Map<Task, Written>,
): Promise<StepReport> {
  const restore = task.onFailure!.restore;
  const written = writes.get(restore);
  if (!written) {
    return {
      ...failed,
      message: `${failed.message}; "${restore.name}" wrote nothing in this run, so nothing was restored and the file is as it was: fix the cause and rerun`,
    };
  }
  const undone = await undo(restore, written, session);
  if (typeof undone === 'object') {
    return {
      ...failed,
      status: 'unreachable',
      message: `${failed.message}; then the host was lost while restoring: ${undone.lost}`,
    };
  }
  writes.delete(restore);
  if (undone === 'failed') {
    return {
      ...failed,
      message: `${failed.message}; restoring ${written.backup ?? written.path} failed too: look at the host now`,
    };
  }
  const what =
    written.backup || written.previous
      ? `the previous ${restore.name} was restored`
      : `the new ${restore.name} was removed (there was none before)`;
  const planned = await planTask(task, session, settings);
  const again = 'step' in planned ? planned.step : await applyChange(task, planned, session, new Map(), []);
  if (again.status === 'changed' || again.status === 'ok') {
    return {
      ...failed,
      message: `${failed.message}; ${what} and "${task.name}" then succeeded: fix the cause and rerun`,
    };
  }
  return {
    ...failed,
    message: `${failed.message}; ${what} but "${task.name}" failed again (${again.message}): look at the host now`,
  };
}

/**
 * Puts back what `restore` wrote (its backup, or no file where there was none); the facts read
 * before are forgotten. A lost host is told with the error's message.
 */
async function undo(
  restore: Task,
  written: Written,
  session: HostSession,
): Promise<'undone' | 'failed' | { lost: string }> {
  let undone: boolean;
  try {
    undone = await restoreBackup(session.applyContext(restore.become), written.path, written);
  } catch (error) {
    if (error instanceof UnreachableError) return { lost: error.message };
    undone = false;
  }
  session.forgetFacts();
  return undone ? 'undone' : 'failed';
}
