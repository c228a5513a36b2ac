/** `--start-at-task` and `--step`: tasks a user chose not to run, each reported as skipped with why. */
import type { Task } from '../tasks/types.ts';
import type { StepReport } from './types.ts';

/** As Ansible matches `--start-at-task`: the exact name, or a shell-style pattern (`conf*`). */
export function matchesTaskName(name: string, wanted: string): boolean {
  if (name === wanted) return true;
  const pattern = wanted
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(name);
}

/** Where the run starts: the first task matching, or -1 when none does. */
export function startIndex(tasks: readonly Task[], wanted: string | undefined): number {
  if (wanted === undefined) return 0;
  return tasks.findIndex((task) => matchesTaskName(task.name, wanted));
}

export function beforeStart(task: Task, wanted: string, found: boolean): StepReport {
  const message = found
    ? `before --start-at-task "${wanted}": not run`
    : `no task matches --start-at-task "${wanted}" on this host: not run`;
  return { name: task.name, status: 'skipped', message };
}

export function declinedAtStep(task: Task): StepReport {
  return { name: task.name, status: 'skipped', message: 'answered no at --step: not run' };
}
