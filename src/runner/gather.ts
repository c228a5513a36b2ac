/**
 * The first two phases of a host's run: gather (the playbook's facts, every task's and handler's,
 * and the owed-handlers record, in one remote command) and inherit (handlers an earlier run owes
 * this host become notified, with their reason).
 */
import type { Fact } from '../remote/facts.ts';
import { stateDirWords, stateFileFact } from '../remote/state-file.ts';
import type { FactSet, Playbook } from '../playbook/types.ts';
import type { HostSession, OwedState } from '../tasks/context.ts';
import { OwedLedger } from '../tasks/owed/ledger.ts';
import { recordFileName } from '../tasks/owed/record.ts';
import { stateDirOf } from '../tasks/owed/state-dir.ts';
import type { Task } from '../tasks/types.ts';
import { owedAtStartStep } from './decisions.ts';
import { lockInCommand, lockLook, lockSeen, takeLock } from './host-lock.ts';
import type { HostState } from './host-state.ts';
import { reportThrown } from './task-step.ts';
import type { HostRunSettings } from './types.ts';

/** The host's owed-handlers record, with the fact that reads it. */
export type OwedOnHost = OwedState & { fact: Fact<string | null> };

/** What the gather phase found. */
export interface Gathered {
  /** The selected tasks; undefined when the playbook makes them per host (known once facts are in). */
  tasks: Task[] | undefined;
  owed: OwedOnHost | undefined;
  /** The owed record as read from the host (null: none). */
  record: string | null;
}

/** A playbook with handlers keeps a record of the ones it owes on each host. */
function owedRecord(session: HostSession, playbook: Playbook, settings: HostRunSettings): OwedOnHost | undefined {
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

/** A task's facts for the shared first command; one whose parameters need gathered facts waits. */
export function taskFacts(task: Task, session: HostSession): Fact<unknown>[] {
  try {
    return Object.values(task.facts?.(session.host) ?? {});
  } catch {
    return [];
  }
}

/**
 * Gather: the facts of the playbook, of every selected task and of every handler (any of them may
 * run, and their plans then need no command of their own), and the owed record, in one command.
 * Undefined when the host failed here (its step is reported).
 */
export async function gather(state: HostState): Promise<Gathered | undefined> {
  const { session, playbook, settings } = state;
  let playbookFacts: FactSet;
  let owed: OwedOnHost | undefined;
  try {
    playbookFacts = playbook.facts?.(session.vars) ?? {};
    owed = owedRecord(session, playbook, settings);
  } catch (error) {
    state.log.end(reportThrown('gather facts', error));
    return undefined;
  }
  const tasks = typeof playbook.tasks === 'function' ? undefined : playbook.tasks.filter((t) => state.wanted(t));
  // a read-only run's look at the lock rides with the first facts the run reads, whenever that is
  const look = lockLook(state);
  if (look) session.rideAlong(look);
  const ahead = [
    ...Object.values(playbookFacts),
    ...(owed ? [owed.fact] : []),
    ...[...(tasks ?? []), ...state.handlers].flatMap((task) => taskFacts(task, session)),
  ];
  const takes = state.settings.lock?.mode === 'take';
  const nothingAhead = !playbook.facts && ahead.length === 0;
  // a run whose one command is the user's takes the lock inside that command: no command of its own
  if (takes && nothingAhead && oneCommand(tasks, state)) {
    session.lockNext = lockInCommand(state);
    return { tasks, owed, record: null };
  }
  // any other run that takes the run lock always has a first command: the lock's holder
  if (nothingAhead && !takes) return { tasks, owed, record: null };
  const read = await firstCommand(state, playbookFacts, ahead, owed);
  if (!read) return undefined;
  if (playbook.facts) {
    state.log.end({
      name: 'gather facts',
      status: 'ok',
      message:
        playbook.describeFacts?.(session.facts as never) ?? `${Object.keys(playbookFacts).length} facts gathered`,
    });
  }
  return { tasks, owed, record: read.record };
}

/** A run that sends the host one command, the user's (`exec`, `run` with `command`), and reads nothing first. */
function oneCommand(tasks: Task[] | undefined, state: HostState): boolean {
  return tasks?.length === 1 && tasks[0]!.module === 'command' && state.handlers.length === 0;
}

/**
 * The host's first remote command: every fact known before the first task, read at once (the
 * session's facts and the owed record are parsed from its answers). Anything a run must do on a
 * host before its first step belongs in this command, so that it costs no round trip of its own.
 */
async function firstCommand(
  state: HostState,
  playbookFacts: FactSet,
  ahead: readonly Fact<unknown>[],
  owed: OwedOnHost | undefined,
): Promise<{ record: string | null } | undefined> {
  const { session } = state;
  state.log.start('gather facts');
  try {
    if (!(await holdHost(state, ahead))) return undefined;
    session.facts = await session.gather(playbookFacts);
    lockSeen(state);
    return { record: owed ? (await session.gather({ owed: owed.fact })).owed : null };
  } catch (error) {
    state.log.end(reportThrown('gather facts', error));
    return undefined;
  }
}

/**
 * Reads `ahead`: inside the run lock's holder when the run takes the lock (false, its step
 * reported, when another run keeps the host or the lock cannot be had), else in one command.
 */
async function holdHost(state: HostState, ahead: readonly Fact<unknown>[]): Promise<boolean> {
  if (state.settings.lock?.mode !== 'take') {
    await state.session.prefetch(ahead);
    return true;
  }
  const taken = await takeLock(state, ahead);
  state.lock = taken.report;
  if (taken.failure) state.log.end({ name: 'run lock', status: 'failed', message: taken.failure });
  return !taken.failure;
}

/**
 * Inherit: handlers an earlier run owes this host are notified as if their task had just changed.
 * From here on the session carries the record's changes with its commands.
 */
export function inheritOwed(state: HostState, owed: OwedOnHost | undefined, record: string | null): void {
  if (!owed) return;
  state.owed = owed;
  state.session.owed = owed;
  const inherited = owed.ledger.load(record);
  for (const entry of inherited) state.notified.add(entry.handler);
  if (inherited.length || owed.ledger.warnings.length) state.log.end(owedAtStartStep(owed.ledger, inherited));
}
