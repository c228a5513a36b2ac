import type { Command } from 'commander';
import { join } from 'node:path';
import { loadPlaybook, PlaybookLoadError } from '../../playbook/load.ts';
import type { Playbook } from '../../playbook/types.ts';
import type { RunReport } from '../../runner/types.ts';
import { parseSerial } from '../../runner/batches.ts';
import { CliError, EXIT } from '../errors.ts';
import { execute } from '../execute.ts';
import { positiveNumber } from '../numbers.ts';
import { addRunOptions, GROUP, type RunCliOptions } from '../run-options.ts';
import { addPlaybookOptions, tagFilter, type PlaybookCliOptions } from '../playbook-options.ts';
import { addCentralOptions, prepareCentral, type CentralCliOptions } from './central.ts';
import { preparePlaybookRun } from './playbook-start.ts';
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
  centralWait?: string;
}

const CENTRAL_WAITS = ['per-batch', 'end'] as const;

/** `--central-wait`: when a rolling deploy looks for its alerts in Sophos Central. */
function centralWaitOf(options: DeployOptions): 'per-batch' | 'end' {
  const value = options.centralWait ?? 'per-batch';
  if (!(CENTRAL_WAITS as readonly string[]).includes(value))
    throw new CliError(`--central-wait "${value}": use per-batch (the default) or end`, EXIT.badOptions);
  if (options.centralWait !== undefined && !options.central)
    throw new CliError('--central-wait applies to the Sophos Central check: add --central', EXIT.badOptions);
  return value as 'per-batch' | 'end';
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
      '--central-wait <when>',
      "with --central and --serial: per-batch (the default) makes each batch wait until its hosts' test alerts are seen in Sophos Central (or --wait, per batch, runs out) before the next starts, a host not seen failing and counting against --max-fail-percentage; end rolls out every batch first and then waits once for all (as before 0.3.0)",
    )
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
    const file = options.playbook ?? 'playbooks/sls-central.ts';
    const read = () => readPlaybook(options.playbook ?? DEFAULT_PLAYBOOK);
    const prepared = await preparePlaybookRun(file, read, inventory, options);
    if (prepared === undefined) return done(EXIT.ok);
    const { playbook, targets, start } = prepared;
    const centralWait = centralWaitOf(options);
    const central = await prepareCentral(options, 'wait');
    // a rolling deploy checks each batch before the next; without --serial there is one batch, checked at the end
    const gate = central && serial && centralWait === 'per-batch' ? central.gate(targets) : undefined;
    const afterRun = central && !gate ? (report: RunReport) => central.afterRun(report, targets) : undefined;
    done(
      await execute(playbook, targets, options, {
        check: Boolean(options.check),
        diff: Boolean(options.diff),
        serial,
        maxFailPercentage,
        ...tagFilter(options),
        ...start,
        afterRun,
        ...(gate ? { gate } : {}),
        forceHandlers: Boolean(options.forceHandlers),
      }),
    );
  });
}
