// What every playbook command (deploy, status, test-alert) does between reading its options and running.
import type { Playbook } from '../../playbook/types.ts';
import type { HostTarget } from '../../runner/host-run.ts';
import { inventoryPaths } from '../command-line-vars.ts';
import { validateTargets } from '../execute.ts';
import { playbookListing, startSettings, type PlaybookCliOptions } from '../playbook-options.ts';
import type { RunCliOptions } from '../run-options.ts';
import { loadTargets } from '../targets.ts';
import type { CentralCliOptions } from './central.ts';

export interface PlaybookStart {
  playbook: Playbook;
  targets: HostTarget[];
  start: ReturnType<typeof startSettings>;
}

/**
 * The playbook (read after the inventory, so an inventory mistake is reported first), the hosts of
 * the run and its --start-at-task and --step settings; undefined when the options asked for a
 * listing, which is written to stdout instead (nothing runs then). With --central, variable
 * mistakes are found here, before Sophos Central is asked.
 */
export async function preparePlaybookRun(
  file: string,
  readPlaybook: () => Promise<Playbook>,
  inventory: string | undefined,
  options: RunCliOptions & CentralCliOptions & PlaybookCliOptions,
): Promise<PlaybookStart | undefined> {
  const paths = inventoryPaths(inventory, options.inventory);
  const targets = await loadTargets(paths, options.limit, options.extraVars, undefined, options);
  const playbook = await readPlaybook();
  const listing = playbookListing(file, playbook, targets, options);
  if (listing !== undefined) {
    process.stdout.write(listing);
    return undefined;
  }
  const start = startSettings(file, playbook, targets, options);
  if (options.central) validateTargets(playbook, targets); // variable mistakes before Central is asked
  return { playbook, targets, start };
}
