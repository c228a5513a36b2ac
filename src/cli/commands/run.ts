import type { Command } from 'commander';
import { playbook } from '../../playbook/define.ts';
import { CliError, EXIT } from '../errors.ts';
import { adhocModuleNames, adhocTask } from '../adhoc-modules.ts';
import { execute } from '../execute.ts';
import { addRunOptions, type RunCliOptions } from '../run-options.ts';
import { printListHosts } from '../list-hosts.ts';
import { loadTargets } from '../targets.ts';

interface RunOptions extends RunCliOptions {
  check?: boolean;
  diff?: boolean;
}

/** `sls-play run <inventory> <pattern> <module> key=value…`: one module, ad hoc, like `ansible -m`. */
export function registerRun(program: Command, done: (code: number) => void): void {
  addRunOptions(
    program
      .command('run')
      .description(
        'run one module ad hoc on the hosts matching a pattern (like ansible -m), e.g. service unit=sophoslinuxsensor state=restarted',
      )
      .argument('<inventory>', 'inventory file or directory')
      .argument('<pattern>', 'Ansible host pattern')
      .argument('<module>', `one of ${adhocModuleNames().join(', ')}`)
      .argument('[args...]', 'key=value parameters of the module')
      .option('-C, --check', 'dry run: say what would change, change nothing')
      .option('-D, --diff', 'print the diff of a file change (secrets redacted)'),
  ).action(async (inventory: string, pattern: string, module: string, words: string[], options: RunOptions) => {
    let task: ReturnType<typeof adhocTask>;
    try {
      task = adhocTask(module, words);
    } catch (error) {
      throw new CliError(`run: ${(error as Error).message}`, EXIT.badOptions);
    }
    const targets = await loadTargets(inventory, pattern, options.extraVars, options.limit, options);
    if (options.listHosts) return done(printListHosts(targets));
    const adhoc = playbook({ name: `ad hoc ${module}`, tasks: [task] });
    done(await execute(adhoc, targets, options, { check: Boolean(options.check), diff: Boolean(options.diff) }));
  });
}
