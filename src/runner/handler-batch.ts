/**
 * The held change (if any) and the handlers that will run after it, planned now and sent as one
 * command while each can be (see `mayJoinBatch`); the handlers left out run one by one after it.
 */
import type { OwedLedger } from '../tasks/owed/ledger.ts';
import type { Task } from '../tasks/types.ts';
import { runBatch, statusesAgree, type PartOutcome } from './batch.ts';
import { handlersNotifiedBy, isNotified, mayJoinBatch, recordAfterEach } from './decisions.ts';
import type { HostState } from './host-state.ts';
import type { HeldChange } from './task-phase.ts';
import { appliedStep, planTask, recoverFailure, reportThrown, stopped } from './task-step.ts';
import type { Planned, StepReport } from './types.ts';

/** One part of the batch, with its planned step and why it runs (an owed handler's reason). */
interface Entry extends HeldChange {
  why?: string;
}

/** A plan the batch can carry: one remote command that reads no stdin. */
const carriable = (planned: Planned): planned is Extract<Planned, { change: unknown }> =>
  'change' in planned && planned.change.remote !== undefined && planned.change.remote.stdin === undefined;

/** Sends the held change and the handlers that can join it; returns the step that stopped the host, if one did. */
export async function runBatched(state: HostState, held: HeldChange | undefined): Promise<StepReport | undefined> {
  const entries = await planBatch(state, held);
  if (!held && entries.length < 2) return undefined; // nothing gained: the handlers run one by one
  if (held && entries.length === 1) {
    const step = await state.applyPlanned(held.part.task, { change: held.part.change, base: held.base });
    return stopped(step) ? step : undefined;
  }
  const outcomes = await sendBatch(state, entries);
  return reportBatch(state, entries, outcomes, held);
}

/**
 * The parts, in order: the held change, then each handler that will run after it, planned now,
 * until one cannot join (a handler that must read the host after the change, needs stdin, runs
 * as another user or whose condition is false ends the batch).
 */
async function planBatch(state: HostState, held: HeldChange | undefined): Promise<Entry[]> {
  const entries: Entry[] = held ? [held] : [];
  const will = new Set([...state.notified, ...(held?.part.task.notify ?? [])]);
  for (const handler of state.handlers) {
    if (!isNotified(handler, will)) continue;
    if (!mayJoinBatch(handler, parts(entries), state.session.host)) break;
    const planned = await planTask(handler, state.session, state.settings);
    if (!carriable(planned)) break;
    const why = state.owed?.ledger.inheritedReason(handler.name);
    entries.push({ part: { task: handler, change: planned.change }, base: planned.base, why });
    for (const name of handler.notify) will.add(name);
  }
  return entries;
}

const parts = (entries: readonly Entry[]) => entries.map((e) => e.part);

/**
 * Sends the parts as one command. Everything each part notifies is owed before it; the record
 * follows each handler that succeeded; the ledger then says what the host's record holds.
 */
async function sendBatch(state: HostState, entries: readonly Entry[]): Promise<PartOutcome[]> {
  const { session, owed, handlers } = state;
  const tasks = entries.map((e) => e.part.task);
  for (const task of tasks) owed?.ledger.owe(handlersNotifiedBy(task, handlers), task.name);
  const record = owed && { dir: owed.dir, file: owed.file, after: recordAfterEach(tasks, handlers, owed.ledger) };
  const outcomes = await runBatch(parts(entries), session, record, (k) => k > 0 && state.log.start(tasks[k]!.name));
  session.forgetFacts();
  if (owed) settleLedger(owed.ledger, tasks, handlers, outcomes);
  return outcomes;
}

/** The record on the host now says what the answers say, unless a part broke its contract or was cut off. */
function settleLedger(
  ledger: OwedLedger,
  tasks: readonly Task[],
  handlers: readonly Task[],
  outcomes: readonly PartOutcome[],
): void {
  for (const [k, outcome] of outcomes.entries()) {
    const task = tasks[k]!;
    if (outcome && 'applied' in outcome && !outcome.applied.failed && handlers.includes(task))
      ledger.clear([task.name]);
  }
  if (statusesAgree(outcomes) && !outcomes.some((o) => o && 'error' in o)) ledger.written();
  else ledger.lost();
}

/** Reports each part that was reached, in order; returns the step that stopped the host, if one did. */
async function reportBatch(
  state: HostState,
  entries: readonly Entry[],
  outcomes: readonly PartOutcome[],
  held: HeldChange | undefined,
): Promise<StepReport | undefined> {
  const { session, settings, writes } = state;
  for (const [k, outcome] of outcomes.entries()) {
    if (!outcome) break;
    const { part, base, why } = entries[k]!;
    if (k > 0 || !held) state.ran.add(part.task);
    const step =
      'applied' in outcome
        ? appliedStep(part.task, part.change, base, outcome.applied, writes)
        : reportThrown(part.task.name, outcome.error);
    const done = state.ended(part.task, await recoverFailure(part.task, step, session, settings, writes), why);
    if (stopped(done)) return done;
  }
  return undefined;
}
