/**
 * The tasks phase of a host's run: each task in turn, `when` → plan → apply. The last task's
 * change is held back when it can travel, in one command, with the handlers it notifies.
 */
import { checkNotifies } from '../playbook/define.ts';
import type { Host, Task } from '../tasks/types.ts';
import { afterTaskStep, FORCED_HANDLERS } from './decisions.ts';
import { taskFacts } from './gather.ts';
import type { HostState } from './host-state.ts';
import { planTask, reportThrown } from './task-step.ts';
import { beforeStart, declinedAtStep, startIndex } from './start-at.ts';
import type { BatchPart, StepReport } from './types.ts';

/** A change planned but not made yet: it goes to the host with the handlers it notifies. */
export interface HeldChange {
  part: BatchPart;
  /** Its step as planned (message, diff, warnings), finished once the change is made. */
  base: StepReport;
}

/** How the tasks phase ended: the host stopped here, or it goes on to its handlers (with the held change). */
export type TasksEnd = { stopped: true } | { stopped: false; held?: HeldChange };

/**
 * The tasks of a playbook that makes them per host, known now that the facts are in; their own
 * facts are read in one more command at most. Undefined when the host failed here.
 */
export async function tasksKnownNow(state: HostState): Promise<Task[] | undefined> {
  const { session, playbook } = state;
  try {
    const tasks = (playbook.tasks as (host: Host) => readonly Task[])(session.host).filter((t) => state.wanted(t));
    checkNotifies(playbook.name, tasks, state.handlers);
    await session.prefetch(tasks.flatMap((task) => taskFacts(task, session)));
    return tasks;
  } catch (error) {
    state.log.end(reportThrown('tasks', error));
    return undefined;
  }
}

/** Runs the tasks in order until one stops the host, an interrupt, or the last (whose change may be held). */
export async function runTasks(state: HostState, tasks: readonly Task[]): Promise<TasksEnd> {
  const { startAtTask, step: askStep } = state.settings;
  const firstRun = startIndex(tasks, startAtTask);
  for (const [index, task] of tasks.entries()) {
    if (state.interrupted()) {
      state.reason = `interrupted before "${task.name}": later tasks not run`;
      break;
    }
    if (startAtTask !== undefined && (firstRun < 0 || index < firstRun)) {
      state.log.end(beforeStart(task, startAtTask, firstRun >= 0));
      continue;
    }
    if (askStep && !(await askStep(task.name))) {
      state.log.end(declinedAtStep(task));
      continue;
    }
    const skip = state.skipped(task);
    let step: StepReport;
    if (skip) step = state.log.end(skip);
    else if (index === tasks.length - 1 && !state.settings.check) {
      const last = await runLastTask(state, task);
      if ('held' in last) return { stopped: false, held: last.held };
      step = last.step;
    } else step = await state.runOne(task);
    const next = afterTaskStep(step, state.settings.forceHandlers);
    if (next === 'stop') return { stopped: true };
    if (next === 'handlers') {
      state.reason = FORCED_HANDLERS;
      break;
    }
  }
  return { stopped: false };
}

/** The last task: planned, then held back when its change can carry the handlers, else applied now. */
async function runLastTask(state: HostState, task: Task): Promise<{ held: HeldChange } | { step: StepReport }> {
  state.log.start(task.name);
  const planned = await planTask(task, state.session, state.settings);
  if ('change' in planned && planned.change.remote?.changes && state.handlers.length)
    return { held: { part: { task, change: planned.change }, base: planned.base } };
  return { step: await state.applyPlanned(task, planned) };
}
