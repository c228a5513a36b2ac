import { PlaybookInputError } from '../base/input-error.ts';
import type { Playbook } from '../playbook/types.ts';
import { CliError, EXIT } from './errors.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { selectedByTags, type TagFilter } from '../runner/tags.ts';
import type { Task } from '../tasks/types.ts';

/** Tags as ansible-playbook lists them: sorted, comma-separated, in brackets. */
const tagsText = (tags: Iterable<string>) => `[${[...new Set(tags)].sort().join(', ')}]`;

/** The lines ansible-playbook starts every listing with: the file, then the play (its hosts are all hosts). */
function header(file: string, playbook: Playbook): string[] {
  return ['', `playbook: ${file}`, '', `  play #1 (all): ${playbook.name}\tTAGS: []`];
}

/**
 * The playbook's tasks as the first selected host would get them, before any fact is gathered
 * (tasks given as a function of the host need one).
 */
export function playbookTasks(file: string, playbook: Playbook, targets: HostTarget[]): readonly Task[] {
  if (typeof playbook.tasks !== 'function') return playbook.tasks;
  const first = targets[0];
  if (!first) return [];
  try {
    return playbook.tasks({ name: first.name, vars: first.vars, facts: {} as never, check: true });
  } catch (error) {
    // a variable the task list depends on is missing or wrong: the user's to fix, not a crash
    if (error instanceof PlaybookInputError) throw new CliError(`${first.name}: ${error.message}`, EXIT.badOptions);
    throw new CliError(
      `playbook ${file}: its task list for ${first.name} could not be made (${(error as Error).message})`,
      EXIT.parseError,
    );
  }
}

/**
 * `--list-tasks`, in ansible-playbook's layout: the tasks the run would go through, after
 * `--tags`/`--skip-tags`; then (sls-play's addition) the handlers.
 */
export function listTasks(file: string, playbook: Playbook, targets: HostTarget[], filter: TagFilter): string {
  const tasks = playbookTasks(file, playbook, targets).filter((t) => selectedByTags(t.tags, filter));
  const lines = [...header(file, playbook), '    tasks:'];
  for (const task of tasks) lines.push(`      ${task.name}\tTAGS: ${tagsText(task.tags)}`);
  if (playbook.handlers?.length) {
    lines.push('    handlers:');
    for (const handler of playbook.handlers)
      lines.push(`      ${handler.name}${handler.listen.length ? ` listens to ${handler.listen.join(', ')}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `--list-tags`, in ansible-playbook's layout: every tag of the tasks the filter selects. */
export function listTags(file: string, playbook: Playbook, targets: HostTarget[], filter: TagFilter): string {
  const tasks = playbookTasks(file, playbook, targets).filter((t) => selectedByTags(t.tags, filter));
  const lines = [...header(file, playbook), `      TASK TAGS: ${tagsText(tasks.flatMap((t) => t.tags))}`];
  return `${lines.join('\n')}\n`;
}

/** `ansible-playbook --list-hosts`: the play, its pattern and its hosts. */
export function listPlayHosts(file: string, playbook: Playbook, targets: HostTarget[]): string {
  const lines = [
    ...header(file, playbook),
    "    pattern: ['all']",
    `    hosts (${targets.length}):`,
    ...targets.map((t) => `      ${t.name}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `--syntax-check`: ansible-playbook prints the file once the inventory and playbook have loaded. */
export function syntaxCheckText(file: string): string {
  return `\nplaybook: ${file}\n`;
}

/** `--tags a,b --tags c` as one list. */
export function tagList(values: string[] | undefined): string[] | undefined {
  const tags = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  return tags.length ? tags : undefined;
}
