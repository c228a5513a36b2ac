import type { Vars } from '../inventory/types.ts';
import { restoreBackup } from '../modules/write-file.ts';
import { checkNotifies, handlerTopics } from '../playbook/define.ts';
import type { FactSet, Playbook } from '../playbook/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { unifiedDiff } from '../secrets/masked-diff.ts';
import { HostSession, type TaskContextSettings } from '../tasks/context.ts';
import type { Plan, Task, Written } from '../tasks/types.ts';
import { CommandTimeoutError, UnreachableError, type Connection } from '../transport/types.ts';
import { hostStatus } from './status.ts';
import { selectedByTags, type TagFilter } from './tags.ts';
import type { HostReport, RunListener, StepReport } from './types.ts';

export interface HostTarget {
  name: string;
  vars: Vars;
}

export interface HostRunSettings extends TaskContextSettings, TagFilter {
  /** This run's secrets: output read from hosts registers keys in it; diffs are masked with it. */
  redactor: Redactor;
}

/** Turns anything a task throws into a step report: a lost host is unreachable, the rest failed. */
function reportThrown(step: string, error: unknown): StepReport {
  if (error instanceof UnreachableError) return { name: step, status: 'unreachable', message: error.message };
  if (error instanceof CommandTimeoutError) {
    return { name: step, status: 'failed', message: `${error.message}; raise --timeout or look at the host` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: step, status: 'failed', message: error instanceof Error && error.name === 'FactError' ? `${message}: fix the host or the path, then rerun` : `unexpected error: ${message}` };
}

const stopped = (step: StepReport) => step.status === 'failed' || step.status === 'unreachable';

/**
 * One host's run: connect, gather the playbook's facts (and every task's, in the same command),
 * then for each task plan and — never in check mode — apply; then the notified handlers.
 */
export async function runHost(
  target: HostTarget,
  playbook: Playbook,
  connect: (target: HostTarget) => Promise<Connection>,
  settings: HostRunSettings,
  emit: RunListener,
  interrupted: () => boolean,
): Promise<HostReport> {
  const host = target.name;
  const steps: StepReport[] = [];
  const end = (step: StepReport) => {
    steps.push(step);
    emit({ type: 'step-end', host, step });
    return step;
  };
  emit({ type: 'host-start', host });
  let connection: Connection;
  try {
    connection = await connect(target);
  } catch (error) {
    end(reportThrown('connect', error));
    return finish(host, steps, emit);
  }
  const session = new HostSession(host, target.vars, connection, settings, (line) => emit({ type: 'log', host, line }), settings.redactor);
  let reason: string | undefined;
  try {
    reason = await runTasks(session, playbook, settings, emit, end, interrupted);
  } finally {
    await connection.close().catch(() => undefined);
  }
  return finish(host, steps, emit, reason);
}

function finish(host: string, steps: StepReport[], emit: RunListener, reason?: string): HostReport {
  const facts = Object.assign({}, ...steps.map((s) => s.facts ?? {})) as Record<string, unknown>;
  const report: HostReport = {
    status: hostStatus(steps),
    steps,
    ...(reason ? { reason } : {}),
    ...(Object.keys(facts).length ? { facts } : {}),
  };
  emit({ type: 'host-end', host, report });
  return report;
}

/** Gathers facts, runs the tasks then the handlers; returns why it stopped early, if it did. */
async function runTasks(
  session: HostSession,
  playbook: Playbook,
  settings: HostRunSettings,
  emit: RunListener,
  end: (step: StepReport) => StepReport,
  interrupted: () => boolean,
): Promise<string | undefined> {
  const host = session.name;
  const start = (name: string) => emit({ type: 'step-start', host, step: name });
  const wanted = (task: Task) => selectedByTags(task.tags, settings);

  // Facts: the playbook's, plus those of every selected task, in one command.
  let playbookFacts: FactSet;
  try {
    playbookFacts = playbook.facts?.(session.vars) ?? {};
  } catch (error) {
    end(reportThrown('gather facts', error));
    return undefined;
  }
  let tasks = typeof playbook.tasks === 'function' ? undefined : playbook.tasks.filter(wanted);
  const ahead = [...Object.values(playbookFacts), ...(tasks ?? []).flatMap((task) => taskFacts(task, session))];
  if (playbook.facts || ahead.length) {
    start('gather facts');
    try {
      await session.prefetch(ahead);
      session.facts = await session.gather(playbookFacts);
    } catch (error) {
      end(reportThrown('gather facts', error));
      return undefined;
    }
    if (playbook.facts) {
      end({ name: 'gather facts', status: 'ok', message: playbook.describeFacts?.(session.facts as never) ?? `${Object.keys(playbookFacts).length} facts gathered` });
    }
  }
  if (!tasks) {
    try {
      tasks = (playbook.tasks as (host: typeof session.host) => readonly Task[])(session.host).filter(wanted);
      checkNotifies(playbook.name, tasks, playbook.handlers ?? []);
      // the facts of tasks known only now, still in one more command at most
      await session.prefetch(tasks.flatMap((task) => taskFacts(task, session)));
    } catch (error) {
      end(reportThrown('tasks', error));
      return undefined;
    }
  }

  const notified = new Set<string>();
  const writes = new Map<Task, Written>();
  const runOne = async (task: Task): Promise<StepReport> => {
    start(task.name);
    const step = await runTask(task, session, settings, writes);
    if (step.status === 'changed') for (const name of task.notify) notified.add(name);
    return end(step);
  };

  // A `when` that throws (a variable of the wrong type, say) fails that host, not the run.
  const skipped = (task: Task): StepReport | undefined => {
    try {
      return !task.when || task.when(session.host) ? undefined : { name: task.name, status: 'skipped', message: 'condition (when) not met on this host' };
    } catch (error) {
      return reportThrown(task.name, error);
    }
  };
  for (const task of tasks) {
    if (interrupted()) return `interrupted before "${task.name}": later tasks not run`;
    const skip = skipped(task);
    if (skip) {
      if (stopped(end(skip))) return undefined;
      continue;
    }
    if (stopped(await runOne(task))) return undefined;
  }
  // Handlers run even after an interrupt: a config already written must reach the running sensor.
  for (const handler of playbook.handlers ?? []) {
    if (!handlerTopics(handler).some((topic) => notified.has(topic))) continue;
    const skip = skipped(handler);
    if (skip) {
      if (stopped(end(skip))) return undefined;
      continue;
    }
    // Check mode changes nothing, whatever a task notified: a handler is only named, with the
    // handlers it would notify in turn.
    if (settings.check) {
      end({ name: handler.name, status: 'skipped', message: 'would run (check mode: handlers never run)' });
      for (const name of handler.notify) notified.add(name);
      continue;
    }
    if (stopped(await runOne(handler))) return undefined;
  }
  return undefined;
}

/** A task's facts for the shared first command; one whose parameters need gathered facts waits. */
function taskFacts(task: Task, session: HostSession) {
  try {
    return Object.values(task.facts?.(session.host) ?? {});
  } catch {
    return [];
  }
}

/** Plans one task and, unless in check mode, applies its change. */
async function runTask(task: Task, session: HostSession, settings: HostRunSettings, writes: Map<Task, Written>): Promise<StepReport> {
  let step = await planAndApply(task, session, settings, writes);
  if (step.status === 'failed' && task.onFailure && !settings.check) step = await undoAndRetry(task, step, session, settings, writes);
  return step;
}

async function planAndApply(task: Task, session: HostSession, settings: HostRunSettings, writes: Map<Task, Written>): Promise<StepReport> {
  let plan: Plan;
  try {
    plan = await task.plan(session.planContext(task.become));
  } catch (error) {
    return reportThrown(task.name, error);
  }
  const planOutput = plan.rc !== undefined ? { rc: plan.rc, stdout: plan.stdout ?? '', stderr: plan.stderr ?? '' } : {};
  const base = { name: task.name, ...planOutput, ...(plan.warnings?.length ? { warnings: plan.warnings } : {}), ...(plan.facts ? { facts: plan.facts } : {}) };
  if (plan.status !== 'change') return { ...base, status: plan.status, message: plan.message };
  const diff = settings.diff && plan.diff ? unifiedDiff(plan.diff.path, plan.diff.before, plan.diff.after, { secretKeys: plan.diff.secretKeys, redact: (text) => settings.redactor.redact(text) }) || undefined : undefined;
  const withDiff = diff ? { diff } : {};
  if (settings.check) return { ...base, ...withDiff, status: 'changed', message: `would ${plan.message}` };
  try {
    const applied = await plan.apply(session.applyContext(task.become));
    session.forgetFacts();
    if (applied.wrote) writes.set(task, applied.wrote);
    const output = applied.rc !== undefined ? { rc: applied.rc, stdout: applied.stdout ?? '', stderr: applied.stderr ?? '' } : {};
    const warnings = [...(plan.warnings ?? []), ...(applied.warnings ?? [])];
    return {
      ...base,
      ...withDiff,
      ...output,
      ...(warnings.length ? { warnings } : {}),
      status: applied.failed ? 'failed' : applied.unchanged ? 'ok' : 'changed',
      message: applied.failed ?? applied.message ?? plan.message,
    };
  } catch (error) {
    session.forgetFacts();
    return reportThrown(task.name, error);
  }
}

/**
 * A task with `onFailure.restore` failed: undo exactly what the named task wrote on this host in
 * this run (nothing, if it wrote nothing), then try the failed task once more.
 */
async function undoAndRetry(task: Task, failed: StepReport, session: HostSession, settings: HostRunSettings, writes: Map<Task, Written>): Promise<StepReport> {
  const restore = task.onFailure!.restore;
  const written = writes.get(restore);
  if (!written) {
    return { ...failed, message: `${failed.message}; "${restore.name}" wrote nothing in this run, so nothing was restored and the file is as it was: fix the cause and rerun` };
  }
  let undone: boolean;
  try {
    undone = await restoreBackup(session.applyContext(restore.become), written.path, written);
  } catch (error) {
    if (error instanceof UnreachableError) return { ...failed, status: 'unreachable', message: `${failed.message}; then the host was lost while restoring: ${error.message}` };
    undone = false;
  }
  writes.delete(restore);
  session.forgetFacts();
  const what = written.backup || written.previous ? `the previous ${restore.name} was restored` : `the new ${restore.name} was removed (there was none before)`;
  if (!undone) {
    return { ...failed, message: `${failed.message}; restoring ${written.backup ?? written.path} failed too: look at the host now` };
  }
  const again = await planAndApply(task, session, settings, new Map());
  if (again.status === 'changed' || again.status === 'ok') {
    return { ...failed, message: `${failed.message}; ${what} and "${task.name}" then succeeded: fix the cause and rerun` };
  }
  return { ...failed, message: `${failed.message}; ${what} but "${task.name}" failed again (${again.message}): look at the host now` };
}
