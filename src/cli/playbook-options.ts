/**
 * The options of the commands that run a playbook (deploy, status, test-alert), as
 * ansible-playbook has them: tags, the listings that touch no host, --start-at-task, --step.
 */
import type { Command } from 'commander';
import type { Playbook } from '../playbook/types.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { startIndex } from '../runner/start-at.ts';
import { CliError, EXIT } from './errors.ts';
import { listPlayHosts, listTags, listTasks, playbookTasks, syntaxCheckText, tagList } from './list-tasks.ts';
import { GROUP } from './run-options.ts';
import { stepPrompter, type StepPrompter } from './step-prompt.ts';

export interface PlaybookCliOptions {
  tags?: string[];
  skipTags?: string[];
  listTasks?: boolean;
  listTags?: boolean;
  listHosts?: boolean;
  syntaxCheck?: boolean;
  startAtTask?: string;
  step?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function addPlaybookOptions(command: Command): Command {
  return command
    .optionsGroup(GROUP.rollout)
    .option('-t, --tags <tags>', 'run only tasks with one of these tags (comma-separated, repeatable)', collect, [])
    .option('--skip-tags <tags>', 'skip tasks with any of these tags (comma-separated, repeatable)', collect, [])
    .option('--start-at-task <name>', 'skip the tasks before the first one of this name (or shell pattern, conf*)')
    .option('--step', 'ask (N)o/(y)es/(c)ontinue before each task; asked once per task for all hosts (terminal only)')
    .option('--list-tasks', 'list the tasks (and handlers) the run would go through, then stop (no host contacted)')
    .option('--list-tags', 'list the tags of the tasks the run would go through, then stop (no host contacted)')
    .option(
      '--syntax-check',
      'load the inventory and playbook, print the playbook name, then stop (no host contacted)',
    );
}

export function tagFilter(options: PlaybookCliOptions): { tags?: string[]; skipTags?: string[] } {
  return { tags: tagList(options.tags), skipTags: tagList(options.skipTags) };
}

/** The text of a listing the options ask for (nothing is run then), or undefined for a real run. */
export function playbookListing(
  file: string,
  playbook: Playbook,
  targets: HostTarget[],
  options: PlaybookCliOptions,
): string | undefined {
  const filter = tagFilter(options);
  if (options.syntaxCheck) return syntaxCheckText(file);
  if (options.listHosts) return listPlayHosts(file, playbook, targets);
  if (options.listTasks) return listTasks(file, playbook, targets, filter);
  if (options.listTags) return listTags(file, playbook, targets, filter);
  return undefined;
}

/** `--start-at-task` and `--step` for the run; a name no task has is a mistake found before any host is touched. */
export function startSettings(
  file: string,
  playbook: Playbook,
  targets: HostTarget[],
  options: PlaybookCliOptions,
): { startAtTask?: string; step?: StepPrompter } {
  const wanted = options.startAtTask;
  if (
    wanted !== undefined &&
    typeof playbook.tasks !== 'function' &&
    startIndex(playbookTasks(file, playbook, targets), wanted) < 0
  )
    throw new CliError(
      `--start-at-task: no task named "${wanted}" in ${file}; see the names with --list-tasks`,
      EXIT.badOptions,
    );
  return { startAtTask: wanted, ...(options.step ? { step: stepPrompter() } : {}) };
}
