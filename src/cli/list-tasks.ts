import { PlaybookInputError } from '../base/input-error.ts';
import type { Playbook } from '../playbook/types.ts';
import { CliError, EXIT } from './errors.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { selectedByTags, type TagFilter } from '../runner/tags.ts';
import type { Task } from '../tasks/types.ts';

const tagsOf = (task: Task) => `TAGS: [${task.tags.join(', ')}]`;

/**
 * `--list-tasks`, in ansible-playbook's layout: the tasks (and handlers) the run would go
 * through, after `--tags`/`--skip-tags`. Tasks given as a function of the host are listed for the
 * first selected host, before any fact is gathered.
 */
export function listTasks(file: string, playbook: Playbook, targets: HostTarget[], filter: TagFilter): string {
  const first = targets[0];
  let tasks: readonly Task[] = [];
  if (typeof playbook.tasks !== 'function') tasks = playbook.tasks;
  else if (first) {
    try {
      tasks = playbook.tasks({ name: first.name, vars: first.vars, facts: {} as never, check: true });
    } catch (error) {
      // a variable the task list depends on is missing or wrong: the user's to fix, not a crash
      if (error instanceof PlaybookInputError) throw new CliError(`${first.name}: ${error.message}`, EXIT.badOptions);
      throw new CliError(
        `playbook ${file}: its task list for ${first.name} could not be made (${(error as Error).message})`,
        EXIT.parseError,
      );
    }
  }
  const lines = [
    `playbook: ${file}`,
    '',
    `  play #1 (${targets.length} hosts): ${playbook.name}\tTAGS: []`,
    '    tasks:',
  ];
  if (playbook.facts) lines.push('      gather facts\tTAGS: [always]');
  for (const task of tasks.filter((t) => selectedByTags(t.tags, filter)))
    lines.push(`      ${task.name} (${task.module})\t${tagsOf(task)}`);
  if (playbook.handlers?.length) {
    lines.push('    handlers:');
    for (const handler of playbook.handlers)
      lines.push(
        `      ${handler.name} (${handler.module})${handler.listen.length ? ` listens to ${handler.listen.join(', ')}` : ''}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** `--tags a,b --tags c` as one list. */
export function tagList(values: string[] | undefined): string[] | undefined {
  const tags = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  return tags.length ? tags : undefined;
}
