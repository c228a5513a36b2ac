import type { Command } from 'commander';
import { join } from 'node:path';
import { loadPlaybook, PlaybookLoadError } from '../../playbook/load.ts';
import type { Playbook } from '../../playbook/types.ts';
import type { RunReport } from '../../runner/types.ts';
import { parseSerial } from '../../runner/batches.ts';
import { CliError, EXIT } from '../errors.ts';
import { execute, validateTargets } from '../execute.ts';
import { positiveNumber } from '../numbers.ts';
import { addRunOptions, type RunCliOptions } from '../run-options.ts';
import { printListHosts } from '../list-hosts.ts';
import { loadTargets } from '../targets.ts';
import { listTasks, tagList } from '../list-tasks.ts';
import { addCentralOptions, prepareCentral, type CentralCliOptions } from './central.ts';
import { packageRoot } from '../../base/package-root.ts';

/** The bundled playbook, found from the package itself so `deploy` works from any directory. */
export const DEFAULT_PLAYBOOK = join(packageRoot(), 'playbooks', 'sls-central.ts');

interface DeployOptions extends RunCliOptions, CentralCliOptions {
  playbook?: string;
  check?: boolean;
  diff?: boolean;
  serial?: string;
  maxFailPercentage?: string;
  tags?: string[];
  skipTags?: string[];
  listTasks?: boolean;
  forceHandlers?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export async function readPlaybook(file: string): Promise<Playbook> {
  try {
    return await loadPlaybook(file);
  } catch (error) {
    if (error instanceof PlaybookLoadError) throw new CliError(error.message, EXIT.parseError);
    throw error;
  }
}

export function registerDeploy(program: Command, done: (code: number) => void): void {
  addCentralOptions(
    addRunOptions(
      program
        .command('deploy')
        .description('converge hosts with a playbook (default: turn on SLS alert export to Sophos Central)')
        .argument('[inventory]', 'inventory file or directory (default: inventory from ansible.cfg)')
        .option('-p, --playbook <file>', 'TypeScript playbook (default: the bundled playbooks/sls-central.ts)')
        .option('-C, --check', 'dry run: read hosts, change nothing, report what would change')
        .option('-D, --diff', 'print a unified diff of every file change (secrets redacted)')
        .option('--serial <n|n%|list>', 'rolling batches, e.g. 1,5,25%: finish a batch before starting the next')
        .option('--max-fail-percentage <n>', 'start no new batch once more than n% of a batch failed')
        .option('--tags <tags>', 'run only tasks with one of these tags (comma-separated, repeatable)', collect, [])
        .option('--skip-tags <tags>', 'skip tasks with any of these tags (comma-separated, repeatable)', collect, [])
        .option(
          '--force-handlers',
          'run the notified handlers even on a host where a later task failed (as ansible-playbook); without it they stay owed on the host for the next run',
        )
        .option(
          '--list-tasks',
          'list the tasks and handlers the run would go through, then stop (nothing is contacted)',
        ),
    ),
    true,
  ).action(async (inventory: string | undefined, options: DeployOptions) => {
    let serial: ReturnType<typeof parseSerial> | undefined;
    try {
      serial = options.serial ? parseSerial(options.serial) : undefined;
    } catch (error) {
      throw new CliError((error as Error).message, EXIT.badOptions);
    }
    const maxFailPercentage =
      options.maxFailPercentage === undefined
        ? undefined
        : positiveNumber(options.maxFailPercentage, '--max-fail-percentage', { allowZero: true });
    const targets = await loadTargets(inventory, options.limit, options.extraVars, undefined, options);
    if (options.listHosts) return done(printListHosts(targets));
    const playbookFile = options.playbook ?? DEFAULT_PLAYBOOK;
    const playbook = await readPlaybook(playbookFile);
    const filter = { tags: tagList(options.tags), skipTags: tagList(options.skipTags) };
    if (options.listTasks) {
      process.stdout.write(listTasks(options.playbook ?? 'playbooks/sls-central.ts', playbook, targets, filter));
      done(EXIT.ok);
      return;
    }
    if (options.central) validateTargets(playbook, targets); // variable mistakes before Central is asked
    const central = await prepareCentral(options, 'wait');
    const afterRun = central && ((report: RunReport) => central.afterRun(report, targets));
    done(
      await execute(playbook, targets, options, {
        check: Boolean(options.check),
        diff: Boolean(options.diff),
        serial,
        maxFailPercentage,
        ...filter,
        afterRun,
        forceHandlers: Boolean(options.forceHandlers),
      }),
    );
  });
}
