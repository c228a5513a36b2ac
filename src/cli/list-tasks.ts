import type { Playbook } from '../playbook/types.ts';
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
  const tasks =
    typeof playbook.tasks === 'function'
      ? first
        ? playbook.tasks({ name: first.name, vars: first.vars, facts: {} as never, check: true })
        : []
      : playbook.tasks;
  const lines = [`playbook: ${file}`, '', `  play #1 (${targets.length} hosts): ${playbook.name}\tTAGS: []`, '    tasks:'];
  if (playbook.facts) lines.push('      gather facts\tTAGS: [always]');
  for (const task of tasks.filter((t) => selectedByTags(t.tags, filter))) lines.push(`      ${task.name} (${task.module})\t${tagsOf(task)}`);
  if (playbook.handlers?.length) {
    lines.push('    handlers:');
    for (const handler of playbook.handlers) lines.push(`      ${handler.name} (${handler.module})${handler.listen.length ? ` listens to ${handler.listen.join(', ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--tags a,b --tags c` as one list. */
export function tagList(values: string[] | undefined): string[] | undefined {
  const tags = (values ?? []).flatMap((v) => v.split(',')).map((t) => t.trim()).filter(Boolean);
  return tags.length ? tags : undefined;
}
