/**
 * One host's run. After connecting, it runs four phases, in order (each in a file of its own):
 *
 *   gather    the facts of the playbook, of every task and handler, and the owed-handlers
 *             record, read in one remote command (gather.ts)
 *   inherit   handlers an earlier run owes this host become notified, with their reason (gather.ts)
 *   tasks     each task: when → plan → apply; the last change is held back so that it travels
 *             with the handlers it notifies (task-phase.ts)
 *   handlers  batched into one command while each plans ahead, else one by one; an owed entry is
 *             cleared as its handler succeeds (handler-phase.ts, handler-batch.ts)
 *
 * What the phases share (the session, the notified handlers, what each task wrote, the owed
 * ledger, the steps) is held in one `HostState` (host-state.ts) and passed to each phase.
 */
import type { Playbook } from '../playbook/types.ts';
import { HostSession } from '../tasks/context.ts';
import type { OwedLedger } from '../tasks/owed/ledger.ts';
import type { Connection } from '../transport/types.ts';
import { gather, inheritOwed } from './gather.ts';
import { lockSeen } from './host-lock.ts';
import { runHandlers } from './handler-phase.ts';
import { HostState, StepLog } from './host-state.ts';
import { hostStatus } from './status.ts';
import { runTasks, tasksKnownNow } from './task-phase.ts';
import { reportThrown } from './task-step.ts';
import type { HostReport, HostRunSettings, HostTarget, RunListener } from './types.ts';

export type { HostRunSettings, HostTarget } from './types.ts';

/** Connects, runs the four phases, settles the owed record, and reports the host. */
export async function runHost(
  target: HostTarget,
  playbook: Playbook,
  connect: (target: HostTarget) => Promise<Connection>,
  settings: HostRunSettings,
  emit: RunListener,
  interrupted: () => boolean,
): Promise<HostReport> {
  const host = target.name;
  const log = new StepLog(host, emit);
  emit({ type: 'host-start', host });
  let connection: Connection;
  try {
    connection = await connect(target);
  } catch (error) {
    log.end(reportThrown('connect', error));
    return finish(log, emit);
  }
  const session = new HostSession(
    host,
    target.vars,
    connection,
    settings,
    (line) => emit({ type: 'log', host, line }),
    settings.redactor,
  );
  const state = new HostState(session, playbook, settings, log, interrupted);
  try {
    await runPhases(state);
    await settleOwed(session, log);
    lockSeen(state);
  } finally {
    // the run lock goes with the last command: its holder ends as its input does
    state.releaseLock();
    await connection.close().catch(() => undefined);
  }
  return finish(log, emit, state, session.owed?.ledger);
}

/** The four phases, in order; a phase that stops the host (its step reported) ends the run there. */
async function runPhases(state: HostState): Promise<void> {
  const gathered = await gather(state);
  if (!gathered) return;
  inheritOwed(state, gathered.owed, gathered.record);
  const tasks = gathered.tasks ?? (await tasksKnownNow(state));
  if (!tasks) return;
  const end = await runTasks(state, tasks);
  if (end.stopped) return;
  await runHandlers(state, end.held);
}

/**
 * The record's last change (handlers cleared, or owed for the next run) goes to the host in a
 * command of its own when no later command carried it; a host already lost keeps what it has.
 */
async function settleOwed(session: HostSession, log: StepLog): Promise<void> {
  if (log.steps.some((s) => s.status === 'unreachable')) return;
  try {
    await session.flushOwed();
  } catch (error) {
    const ledger = session.owed!.ledger;
    const owed = ledger.owed.length
      ? `the next run runs ${ledger.owed.map((h) => `"${h}"`).join(', ')} again`
      : 'the next run may run handlers that already ran';
    const step = reportThrown('owed handlers', error);
    log.end({ ...step, message: `${step.message}; ${owed}` });
  }
}

function finish(log: StepLog, emit: RunListener, state?: HostState, ledger?: OwedLedger): HostReport {
  const reason = state?.reason;
  const { host, steps } = log;
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
    ...(state?.lock ? { lock: state.lock } : {}),
  };
  emit({ type: 'host-end', host, report });
  return report;
}
