import type { Vars } from '../inventory/types.ts';
import { restoreBackup } from '../modules/write-file.ts';
import { checkNotifies, handlerTopics } from '../playbook/define.ts';
import type { FactSet, Playbook } from '../playbook/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { unifiedDiff } from '../secrets/masked-diff.ts';
import { stateFileFact, stateDirWords } from '../remote/state-file.ts';
import { HostSession, OwedRecordError, type TaskContextSettings } from '../tasks/context.ts';
import type { Plan, Task, Written } from '../tasks/types.ts';
import { CommandTimeoutError, UnreachableError, type Connection } from '../transport/types.ts';
import { OwedLedger, type RunIdentity } from './owed/ledger.ts';
import { recordFileName } from './owed/record.ts';
import { stateDirOf } from './owed/state-dir.ts';
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
  /** The run, as owed-handler records name it (made by runPlaybook when not given). */
  run?: RunIdentity;
  /** `--force-handlers`: run the handlers notified so far even after a task failed on the host. */
  forceHandlers?: boolean;
}

/** Turns anything a task throws into a step report: a lost host is unreachable, the rest failed. */
function reportThrown(step: string, error: unknown): StepReport {
  if (error instanceof UnreachableError) return { name: step, status: 'unreachable', message: error.message };
  if (error instanceof OwedRecordError) return { name: step, status: 'failed', message: error.message };
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
    await settleOwed(session, steps, end);
  } finally {
    await connection.close().catch(() => undefined);
  }
  return finish(host, steps, emit, reason, session.owed?.ledger);
}

/**
 * The record's last change (handlers cleared, or owed for the next run) goes to the host in a
 * command of its own when no later command carried it; a host already lost keeps what it has.
 */
async function settleOwed(session: HostSession, steps: StepReport[], end: (step: StepReport) => StepReport): Promise<void> {
  if (steps.some((s) => s.status === 'unreachable')) return;
  try {
    await session.flushOwed();
  } catch (error) {
    const ledger = session.owed!.ledger;
    const owed = ledger.owed.length ? `the next run runs ${ledger.owed.map((h) => `"${h}"`).join(', ')} again` : 'the next run may run handlers that already ran';
    end({ ...reportThrown('owed handlers', error), message: `${reportThrown('owed handlers', error).message}; ${owed}` });
  }
}

function finish(host: string, steps: StepReport[], emit: RunListener, reason?: string, ledger?: OwedLedger): HostReport {
  const facts = Object.assign({}, ...steps.map((s) => s.facts ?? {})) as Record<string, unknown>;
  const drift = steps.flatMap((s) => s.drift ?? []);
  const report: HostReport = {
    status: hostStatus(steps),
    steps,
    ...(reason ? { reason } : {}),
    ...(Object.keys(facts).length ? { facts } : {}),
    ...(drift.length ? { drift } : {}),
    ...(ledger?.inherited.length ? { owedAtStart: ledger.inherited } : {}),
    ...(ledger?.owed.length ? { stillOwed: ledger.owed } : {}),
  };
  emit({ type: 'host-end', host, report });
  return report;
}

/** The handlers a task's `notify` names reach (by name or `listen` topic), in declaration order. */
function handlersNotifiedBy(task: Task, handlers: readonly Task[]): string[] {
  return handlers.filter((h) => handlerTopics(h).some((topic) => task.notify.includes(topic))).map((h) => h.name);
}

/** A playbook with handlers keeps a record of the ones it owes on each host. */
function owedState(session: HostSession, playbook: Playbook, settings: HostRunSettings) {
  const handlers = playbook.handlers ?? [];
  if (handlers.length === 0) return undefined;
  const dir = stateDirOf(session.vars);
  const file = recordFileName(playbook.name);
  const run = settings.run ?? { id: 'unknown', startedAt: new Date().toISOString() };
  const ledger = new OwedLedger(playbook.name, handlers.map((h) => h.name), run, `${stateDirWords(dir)}/${file}`);
  return { ledger, dir, file, fact: stateFileFact(dir, file) };
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
  const handlers = playbook.handlers ?? [];

  // Facts: the playbook's, every selected task's and the owed-handlers record, in one command.
  let playbookFacts: FactSet;
  let owed: ReturnType<typeof owedState>;
  try {
    playbookFacts = playbook.facts?.(session.vars) ?? {};
    owed = owedState(session, playbook, settings);
  } catch (error) {
    end(reportThrown('gather facts', error));
    return undefined;
  }
  let tasks = typeof playbook.tasks === 'function' ? undefined : playbook.tasks.filter(wanted);
  const ahead = [...Object.values(playbookFacts), ...(owed ? [owed.fact] : []), ...(tasks ?? []).flatMap((task) => taskFacts(task, session))];
  let record: string | null = null;
  if (playbook.facts || ahead.length) {
    start('gather facts');
    try {
      await session.prefetch(ahead);
      session.facts = await session.gather(playbookFacts);
      if (owed) record = (await session.gather({ owed: owed.fact })).owed;
    } catch (error) {
      end(reportThrown('gather facts', error));
      return undefined;
    }
    if (playbook.facts) {
      end({ name: 'gather facts', status: 'ok', message: playbook.describeFacts?.(session.facts as never) ?? `${Object.keys(playbookFacts).length} facts gathered` });
    }
  }

  // Handlers an earlier run owes this host are notified as if their task had just changed.
  const notified = new Set<string>();
  if (owed) {
    session.owed = owed;
    const inherited = owed.ledger.load(record);
    for (const entry of inherited) notified.add(entry.handler);
    if (inherited.length || owed.ledger.warnings.length) {
      const message = inherited.length ? inherited.map((e) => `${e.handler}: ${owed.ledger.inheritedReason(e.handler)}`).join('; ') : 'none owed';
      end({ name: 'owed handlers', status: 'ok', message, ...(owed.ledger.warnings.length ? { warnings: owed.ledger.warnings } : {}) });
    }
  }

  if (!tasks) {
    try {
      tasks = (playbook.tasks as (host: typeof session.host) => readonly Task[])(session.host).filter(wanted);
      checkNotifies(playbook.name, tasks, handlers);
      // the facts of tasks known only now, still in one more command at most
      await session.prefetch(tasks.flatMap((task) => taskFacts(task, session)));
    } catch (error) {
      end(reportThrown('tasks', error));
      return undefined;
    }
  }

  const writes = new Map<Task, Written>();
  const runOne = async (task: Task, why?: string): Promise<StepReport> => {
    start(task.name);
    const step = await runTask(task, session, settings, writes, handlersNotifiedBy(task, handlers));
    if (step.status === 'changed') for (const name of task.notify) notified.add(name);
    return end(why && !stopped(step) ? { ...step, message: `${step.message} (${why})` } : step);
  };

  // A `when` that throws (a variable of the wrong type, say) fails that host, not the run.
  const skipped = (task: Task): StepReport | undefined => {
    try {
      return !task.when || task.when(session.host) ? undefined : { name: task.name, status: 'skipped', message: 'condition (when) not met on this host' };
    } catch (error) {
      return reportThrown(task.name, error);
    }
  };
  let reason: string | undefined;
  for (const task of tasks) {
    if (interrupted()) {
      reason = `interrupted before "${task.name}": later tasks not run`;
      break;
    }
    const skip = skipped(task);
    const step = skip ? end(skip) : await runOne(task);
    if (step.status === 'unreachable') return undefined;
    // A failed host keeps its notified handlers owed on the host for the next run, unless
    // --force-handlers runs them now (as Ansible's force_handlers).
    if (step.status === 'failed' && !settings.forceHandlers) return undefined;
    if (step.status === 'failed') {
      reason = 'a task failed; the notified handlers ran anyway (--force-handlers)';
      break;
    }
  }
  // Handlers run after an interrupt too: a config already written must reach the running sensor.
  for (const handler of handlers) {
    if (!handlerTopics(handler).some((topic) => notified.has(topic))) continue;
    const why = owed?.ledger.inheritedReason(handler.name);
    const skip = skipped(handler);
    if (skip) {
      if (stopped(end(skip))) return reason;
      // a handler whose condition is false on this host will not run here: owed no longer
      owed?.ledger.clear([handler.name]);
      continue;
    }
    // Check mode changes nothing, whatever a task notified: a handler is only named, with the
    // handlers it would notify in turn.
    if (settings.check) {
      end({ name: handler.name, status: 'skipped', message: `would run (check mode: handlers never run)${why ? `; ${why}` : ''}` });
      for (const name of handler.notify) notified.add(name);
      continue;
    }
    if (stopped(await runOne(handler, why))) return reason;
    owed?.ledger.clear([handler.name]);
  }
  return reason;
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
async function runTask(task: Task, session: HostSession, settings: HostRunSettings, writes: Map<Task, Written>, notifies: string[]): Promise<StepReport> {
  let step = await planAndApply(task, session, settings, writes, notifies);
  if (step.status === 'failed' && task.onFailure && !settings.check) step = await undoAndRetry(task, step, session, settings, writes);
  return step;
}

async function planAndApply(task: Task, session: HostSession, settings: HostRunSettings, writes: Map<Task, Written>, notifies: string[] = []): Promise<StepReport> {
  let plan: Plan;
  try {
    plan = await task.plan(session.planContext(task.become));
  } catch (error) {
    return reportThrown(task.name, error);
  }
  const planOutput = plan.rc !== undefined ? { rc: plan.rc, stdout: plan.stdout ?? '', stderr: plan.stderr ?? '' } : {};
  const base = { name: task.name, ...planOutput, ...(plan.warnings?.length ? { warnings: plan.warnings } : {}), ...(plan.facts ? { facts: plan.facts } : {}), ...(plan.drift?.length ? { drift: plan.drift } : {}) };
  if (plan.status !== 'change') return { ...base, status: plan.status, message: plan.message };
  const diff = settings.diff && plan.diff ? unifiedDiff(plan.diff.path, plan.diff.before, plan.diff.after, { secretKeys: plan.diff.secretKeys, redact: (text) => settings.redactor.redact(text) }) || undefined : undefined;
  const withDiff = diff ? { diff } : {};
  if (settings.check) return { ...base, ...withDiff, status: 'changed', message: `would ${plan.message}` };
  // The handlers this change notifies are owed on the host before it is made: the record rides
  // with the apply's first command. A change that turns out to be none owes nothing.
  const newlyOwed = session.owed?.ledger.owe(notifies, task.name) ?? [];
  const unowe = (status: string) => status === 'ok' && session.owed?.ledger.clear(newlyOwed);
  try {
    const applied = await plan.apply(session.applyContext(task.become));
    unowe(applied.failed ? 'failed' : applied.unchanged ? 'ok' : 'changed');
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
