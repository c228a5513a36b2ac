import type { Vars } from '../inventory/types.ts';
import { checkNotifies, handlerTopics } from '../playbook/define.ts';
import type { FactSet, Playbook } from '../playbook/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { stateFileFact, stateDirWords } from '../remote/state-file.ts';
import { HostSession, type TaskContextSettings } from '../tasks/context.ts';
import type { Task, Written } from '../tasks/types.ts';
import type { Connection } from '../transport/types.ts';
import { runBatch, statusesAgree, type BatchPart } from './batch.ts';
import {
  appliedStep,
  applyChange,
  planTask,
  recoverFailure,
  reportThrown,
  runTask,
  stopped,
  type Planned,
} from './task-step.ts';
import { OwedLedger, type RunIdentity } from '../tasks/owed/ledger.ts';
import { recordFileName } from '../tasks/owed/record.ts';
import { stateDirOf } from '../tasks/owed/state-dir.ts';
import { hostStatus } from './status.ts';
import { selectedByTags, type TagFilter } from './tags.ts';
import { beforeStart, declinedAtStep, startIndex } from './start-at.ts';
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
  /** `--start-at-task`: the tasks before the first one of this name are skipped. */
  startAtTask?: string;
  /** `--step`: asked before each task; false skips it. */
  step?: (task: string) => Promise<boolean>;
}

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
  const session = new HostSession(
    host,
    target.vars,
    connection,
    settings,
    (line) => emit({ type: 'log', host, line }),
    settings.redactor,
  );
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
async function settleOwed(
  session: HostSession,
  steps: StepReport[],
  end: (step: StepReport) => StepReport,
): Promise<void> {
  if (steps.some((s) => s.status === 'unreachable')) return;
  try {
    await session.flushOwed();
  } catch (error) {
    const ledger = session.owed!.ledger;
    const owed = ledger.owed.length
      ? `the next run runs ${ledger.owed.map((h) => `"${h}"`).join(', ')} again`
      : 'the next run may run handlers that already ran';
    end({
      ...reportThrown('owed handlers', error),
      message: `${reportThrown('owed handlers', error).message}; ${owed}`,
    });
  }
}

function finish(
  host: string,
  steps: StepReport[],
  emit: RunListener,
  reason?: string,
  ledger?: OwedLedger,
): HostReport {
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
  const ledger = new OwedLedger(
    playbook.name,
    handlers.map((h) => h.name),
    run,
    `${stateDirWords(dir)}/${file}`,
  );
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

  // Facts: the playbook's, every selected task's and handler's, and the owed-handlers record, in one command.
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
  // the handlers' facts too: any of them may run, and their plans then need no command of their own
  const ahead = [
    ...Object.values(playbookFacts),
    ...(owed ? [owed.fact] : []),
    ...[...(tasks ?? []), ...handlers].flatMap((task) => taskFacts(task, session)),
  ];
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
      end({
        name: 'gather facts',
        status: 'ok',
        message:
          playbook.describeFacts?.(session.facts as never) ?? `${Object.keys(playbookFacts).length} facts gathered`,
      });
    }
  }

  // Handlers an earlier run owes this host are notified as if their task had just changed.
  const notified = new Set<string>();
  if (owed) {
    session.owed = owed;
    const inherited = owed.ledger.load(record);
    for (const entry of inherited) notified.add(entry.handler);
    if (inherited.length || owed.ledger.warnings.length) {
      const message = inherited.length
        ? inherited.map((e) => `${e.handler}: ${owed.ledger.inheritedReason(e.handler)}`).join('; ')
        : 'none owed';
      end({
        name: 'owed handlers',
        status: 'ok',
        message,
        ...(owed.ledger.warnings.length ? { warnings: owed.ledger.warnings } : {}),
      });
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
  const withWhy = (step: StepReport, why: string | undefined) =>
    why && !stopped(step) ? { ...step, message: `${step.message} (${why})` } : step;
  /** Reports a finished step; a change notifies the task's handlers. */
  const ended = (task: Task, step: StepReport, why?: string): StepReport => {
    if (step.status === 'changed') for (const name of task.notify) notified.add(name);
    return end(withWhy(step, why));
  };
  /** Applies a planned change (its handlers owed first), undoing and retrying on failure when the task says so. */
  const applyPlanned = async (task: Task, planned: Planned): Promise<StepReport> =>
    ended(
      task,
      await recoverFailure(
        task,
        'step' in planned
          ? planned.step
          : await applyChange(task, planned, session, writes, handlersNotifiedBy(task, handlers)),
        session,
        settings,
        writes,
      ),
    );
  const runOne = async (task: Task, why?: string): Promise<StepReport> => {
    start(task.name);
    return ended(task, await runTask(task, session, settings, writes, handlersNotifiedBy(task, handlers)), why);
  };

  // A `when` that throws (a variable of the wrong type, say) fails that host, not the run.
  const skipped = (task: Task): StepReport | undefined => {
    try {
      return !task.when || task.when(session.host)
        ? undefined
        : { name: task.name, status: 'skipped', message: 'condition (when) not met on this host' };
    } catch (error) {
      return reportThrown(task.name, error);
    }
  };
  let reason: string | undefined;
  // The last task's change is held back when it can travel with the handlers it notifies.
  let held: BatchPart | undefined;
  let heldBase: StepReport | undefined;
  const firstRun = startIndex(tasks, settings.startAtTask);
  for (const [index, task] of tasks.entries()) {
    if (interrupted()) {
      reason = `interrupted before "${task.name}": later tasks not run`;
      break;
    }
    if (settings.startAtTask !== undefined && (firstRun < 0 || index < firstRun)) {
      end(beforeStart(task, settings.startAtTask, firstRun >= 0));
      continue;
    }
    if (settings.step && !(await settings.step(task.name))) {
      end(declinedAtStep(task));
      continue;
    }
    const skip = skipped(task);
    let step: StepReport;
    if (skip) step = end(skip);
    else if (index === tasks.length - 1 && !settings.check) {
      start(task.name);
      const planned = await planTask(task, session, settings);
      if ('change' in planned && planned.change.remote?.changes && handlers.length) {
        held = { task, change: planned.change };
        heldBase = planned.base;
        break;
      }
      step = await applyPlanned(task, planned);
    } else step = await runOne(task);
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
  const ran = new Set<Task>();
  if (!settings.check && (held || notified.size)) {
    const stop = await runBatched(held, heldBase);
    // the held task failing is a task failing: --force-handlers still runs what was notified before
    const heldFailed = held !== undefined && stop?.name === held.task.name && stop.status === 'failed';
    if (stop && !(heldFailed && settings.forceHandlers)) return reason;
    if (stop) reason = 'a task failed; the notified handlers ran anyway (--force-handlers)';
  }
  for (const handler of handlers) {
    if (ran.has(handler) || !handlerTopics(handler).some((topic) => notified.has(topic))) continue;
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
      end({
        name: handler.name,
        status: 'skipped',
        message: `would run (check mode: handlers never run)${why ? `; ${why}` : ''}`,
      });
      for (const name of handler.notify) notified.add(name);
      continue;
    }
    if (stopped(await runOne(handler, why))) return reason;
    owed?.ledger.clear([handler.name]);
  }
  return reason;

  /**
   * The held change (if any) and the handlers that will run after it, planned now and sent as one
   * command while each can be: a handler that must read the host after the change, needs stdin,
   * runs as another user or whose condition is false ends the batch, and the rest run one by one.
   */
  async function runBatched(
    first: BatchPart | undefined,
    firstBase: StepReport | undefined,
  ): Promise<StepReport | undefined> {
    const parts: { part: BatchPart; base: StepReport; why?: string }[] = first
      ? [{ part: first, base: firstBase! }]
      : [];
    const will = new Set([...notified, ...(first?.task.notify ?? [])]);
    for (const handler of handlers) {
      if (!handlerTopics(handler).some((topic) => will.has(topic))) continue;
      const previous = parts.at(-1);
      if (previous && !previous.part.change.remote?.changes) break;
      const reference = parts[0]?.part.task;
      if (skipped(handler) || (reference && handler.become !== reference.become)) break;
      if (parts.length && !handler.plansAhead?.(session.host)) break;
      const planned = await planTask(handler, session, settings);
      if (!('change' in planned) || !planned.change.remote || planned.change.remote.stdin !== undefined) break;
      parts.push({
        part: { task: handler, change: planned.change },
        base: planned.base,
        why: owed?.ledger.inheritedReason(handler.name),
      });
      for (const name of handler.notify) will.add(name);
    }
    if (!first && parts.length < 2) return undefined; // nothing gained: the handler loop runs them
    if (first && parts.length === 1) {
      const step = await applyPlanned(first.task, { change: first.change, base: firstBase! });
      return stopped(step) ? step : undefined;
    }
    // everything each part notifies is owed before the command; each handler is cleared once it ran
    for (const { part } of parts) owed?.ledger.owe(handlersNotifiedBy(part.task, handlers), part.task.name);
    const cleared: string[] = [];
    const after = parts.map(({ part }) =>
      handlers.includes(part.task) ? owed?.ledger.contentWithout((cleared.push(part.task.name), cleared)) : undefined,
    );
    const record = owed && { dir: owed.dir, file: owed.file, after };
    const outcomes = await runBatch(
      parts.map((p) => p.part),
      session,
      record,
      (k) => k > 0 && start(parts[k]!.part.task.name),
    );
    session.forgetFacts();
    // the record on the host now says what the answers say, unless a part broke its contract
    for (const [k, outcome] of outcomes.entries()) {
      const task = parts[k]!.part.task;
      if (outcome && 'applied' in outcome && !outcome.applied.failed && handlers.includes(task))
        owed?.ledger.clear([task.name]);
    }
    if (owed && statusesAgree(outcomes) && !outcomes.some((o) => o && 'error' in o)) owed.ledger.written();
    else owed?.ledger.lost();
    for (const [k, outcome] of outcomes.entries()) {
      if (!outcome) break;
      const { part, base, why } = parts[k]!;
      if (k > 0 || !first) ran.add(part.task);
      const step =
        'applied' in outcome
          ? appliedStep(part.task, part.change, base, outcome.applied, writes)
          : reportThrown(part.task.name, outcome.error);
      const done = ended(part.task, await recoverFailure(part.task, step, session, settings, writes), why);
      if (stopped(done)) return done;
    }
    return undefined;
  }
}

/** A task's facts for the shared first command; one whose parameters need gathered facts waits. */
function taskFacts(task: Task, session: HostSession) {
  try {
    return Object.values(task.facts?.(session.host) ?? {});
  } catch {
    return [];
  }
}
