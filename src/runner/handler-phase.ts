/**
 * The handlers phase of a host's run: the held change and the notified handlers batched into one
 * command where each plans ahead, the rest one by one, in declaration order; an owed entry is
 * cleared as its handler succeeds. It runs after an interrupt too: a config already written must
 * reach the running sensor.
 */
import type { Task } from '../tasks/types.ts';
import { FORCED_HANDLERS, isNotified } from './decisions.ts';
import { runBatched } from './handler-batch.ts';
import type { HostState } from './host-state.ts';
import type { HeldChange } from './task-phase.ts';
import { stopped } from './task-step.ts';

export async function runHandlers(state: HostState, held: HeldChange | undefined): Promise<void> {
  if (!state.settings.check && (held || state.notified.size)) {
    const stop = await runBatched(state, held);
    if (stop) {
      // the held task failing is a task failing: --force-handlers still runs what was notified before
      const heldFailed = held !== undefined && stop.name === held.part.task.name && stop.status === 'failed';
      if (!(heldFailed && state.settings.forceHandlers)) return;
      state.reason = FORCED_HANDLERS;
    }
  }
  // a handler's change may notify a later one: the set grows as the loop goes
  for (const handler of state.handlers) {
    if (state.ran.has(handler) || !isNotified(handler, state.notified)) continue;
    if (!(await runHandler(state, handler))) return;
  }
}

/** One notified handler as a step of its own; false when the host stops here. */
async function runHandler(state: HostState, handler: Task): Promise<boolean> {
  const ledger = state.owed?.ledger;
  const why = ledger?.inheritedReason(handler.name);
  const skip = state.skipped(handler);
  if (skip) {
    if (stopped(state.log.end(skip))) return false;
    // a handler whose condition is false on this host will not run here: owed no longer
    ledger?.clear([handler.name]);
    return true;
  }
  // Check mode changes nothing, whatever a task notified: a handler is only named, with the
  // handlers it would notify in turn.
  if (state.settings.check) {
    state.log.end({
      name: handler.name,
      status: 'skipped',
      message: `would run (check mode: handlers never run)${why ? `; ${why}` : ''}`,
    });
    for (const name of handler.notify) state.notified.add(name);
    return true;
  }
  if (stopped(await state.runOne(handler, why))) return false;
  ledger?.clear([handler.name]);
  return true;
}
