import type { Command } from 'commander';
import { join } from 'node:path';
import { loadPlaybook, PlaybookLoadError } from '../../playbook/load.ts';
import type { Playbook } from '../../playbook/types.ts';
import type { RunReport } from '../../runner/types.ts';
import { parseSerial } from '../../runner/batches.ts';
import { CliError, EXIT } from '../errors.ts';
import { execute, validateTargets } from '../execute.ts';
import { positiveNumber } from '../numbers.ts';
import { addRunOptions, GROUP, type RunCliOptions } from '../run-options.ts';
import { loadTargets } from '../targets.ts';
import { inventoryPaths } from '../command-line-vars.ts';
import {
  addPlaybookOptions,
  playbookListing,
  startSettings,
  tagFilter,
  type PlaybookCliOptions,
} from '../playbook-options.ts';
import { addCentralOptions, prepareCentral, type CentralCliOptions } from './central.ts';
import { packageRoot } from '../../base/package-root.ts';

/** The bundled playbook, found from the package itself so `deploy` works from any directory. */
export const DEFAULT_PLAYBOOK = join(packageRoot(), 'playbooks', 'sls-central.ts');

interface DeployOptions extends RunCliOptions, CentralCliOptions, PlaybookCliOptions {
  playbook?: string;
  check?: boolean;
  diff?: boolean;
  serial?: string;
  maxFailPercentage?: string;
  forceHandlers?: boolean;
}

export async function readPlaybook(file: string): Promise<Playbook> {
  try {
    return await loadPlaybook(file);
  } catch (error) {
    if (error instanceof PlaybookLoadError) throw new CliError(error.message, EXIT.parseError);
    throw error;
  }
}

function parseSerialOption(value: string | undefined) {
  try {
    return value ? parseSerial(value) : undefined;
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.badOptions);
  }
}

export function registerDeploy(program: Command, done: (code: number) => void): void {
  const command = program
    .command('deploy')
    .description('converge hosts with a playbook (default: turn on SLS alert export to Sophos Central)')
    .argument('[inventory]', 'inventory file or directory (or -i; default: inventory from ansible.cfg)');
  addRunOptions(command)
    .optionsGroup(GROUP.rollout)
    .option('-p, --playbook <file>', 'TypeScript playbook (default: the bundled playbooks/sls-central.ts)')
    .option('-C, --check', 'dry run: read hosts, change nothing, report what would change')
    .option('-D, --diff', 'print a unified diff of every file change (secrets redacted)')
    .option('--serial <n|n%|list>', 'rolling batches, e.g. 1,5,25%: finish a batch before starting the next')
    .option('--max-fail-percentage <n>', 'start no new batch once more than n% of a batch failed')
    .option(
      '--force-handlers',
      'run the notified handlers even on a host where a later task failed (as ansible-playbook); without it they stay owed on the host for the next run',
    );
  addPlaybookOptions(command);
  addCentralOptions(command, true).action(async (inventory: string | undefined, options: DeployOptions) => {
    const serial = parseSerialOption(options.serial);
    const maxFailPercentage =
      options.maxFailPercentage === undefined
        ? undefined
        : positiveNumber(options.maxFailPercentage, '--max-fail-percentage', { allowZero: true });
    const targets = await loadTargets(
      inventoryPaths(inventory, options.inventory),
      options.limit,
      options.extraVars,
      undefined,
      options,
    );
    const file = options.playbook ?? 'playbooks/sls-central.ts';
    const playbook = await readPlaybook(options.playbook ?? DEFAULT_PLAYBOOK);
    const listing = playbookListing(file, playbook, targets, options);
    if (listing !== undefined) {
      process.stdout.write(listing);
      return done(EXIT.ok);
    }
    const start = startSettings(file, playbook, targets, options);
    if (options.central) validateTargets(playbook, targets); // variable mistakes before Central is asked
    const central = await prepareCentral(options, 'wait');
    const afterRun = central && ((report: RunReport) => central.afterRun(report, targets));
    done(
      await execute(playbook, targets, options, {
        check: Boolean(options.check),
        diff: Boolean(options.diff),
        serial,
        maxFailPercentage,
        ...tagFilter(options),
        ...start,
        afterRun,
        forceHandlers: Boolean(options.forceHandlers),
      }),
    );
  });
}
