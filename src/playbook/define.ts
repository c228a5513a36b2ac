import type { Task } from '../tasks/types.ts';
import type { FactSet, Playbook } from './types.ts';

/** Names a handler answers to: its own and its `listen` topics. */
export function handlerTopics(handler: Task): string[] {
  return [handler.name, ...handler.listen];
}

/**
 * Checks that every `notify` names a handler (or a handler's `listen` topic): a misspelt handler
 * is an error when the playbook loads, never a silent no-op.
 */
export function checkNotifies(playbookName: string, tasks: readonly Task[], handlers: readonly Task[]): void {
  const topics = new Set(handlers.flatMap(handlerTopics));
  for (const task of [...tasks, ...handlers]) {
    for (const name of task.notify) {
      if (!topics.has(name)) {
        const known = [...topics].map((t) => `"${t}"`).join(', ') || 'none';
        throw new Error(
          `playbook ${playbookName}: task "${task.name}" notifies "${name}", which no handler is named or listens to (handlers: ${known})`,
        );
      }
    }
  }
}

/** Declares a playbook: tasks that describe the desired state, and the handlers they notify. */
export function playbook<F extends FactSet>(definition: Playbook<F>): Playbook<F> {
  const handlers = definition.handlers ?? [];
  const names = new Set<string>();
  for (const handler of handlers) {
    if (names.has(handler.name)) throw new Error(`playbook ${definition.name}: two handlers named "${handler.name}"`);
    names.add(handler.name);
  }
  if (typeof definition.tasks !== 'function') {
    checkNotifies(definition.name, definition.tasks, handlers);
    const all = new Set([...definition.tasks, ...handlers]);
    for (const task of all) {
      const restore = task.onFailure?.restore;
      if (restore && !all.has(restore)) {
        throw new Error(
          `playbook ${definition.name}: "${task.name}" restores "${restore.name}" on failure, which is not a task of this playbook`,
        );
      }
    }
  } else {
    checkNotifies(definition.name, [], handlers);
  }
  return definition;
}
