import type { Command } from 'commander';
import { playbook } from '../../playbook/define.ts';
import { shlexSplit } from '../../inventory/shlex.ts';
import { CliError, EXIT } from '../errors.ts';
import { adhocModuleNames, adhocTask } from '../adhoc-modules.ts';
import { execute } from '../execute.ts';
import { addRunOptions, GROUP, type RunCliOptions } from '../run-options.ts';
import { printListHosts } from '../list-hosts.ts';
import { loadTargets } from '../targets.ts';
import { adhocWords } from '../adhoc-args.ts';
import { inventoryPaths } from '../command-line-vars.ts';

interface RunOptions extends RunCliOptions {
  check?: boolean;
  diff?: boolean;
  moduleName?: string;
  args?: string;
}

/** `-m MODULE -a 'k=v …'` as ansible takes them (`-a` alone is the command module's command line), else `MODULE k=v…`. */
export function moduleCall(options: RunOptions, rest: string[]): { module: string; words: string[] } {
  if (options.moduleName === undefined && options.args === undefined) {
    const [module, ...words] = rest;
    if (module === undefined)
      throw new CliError('run: no module given (-m MODULE -a ARGS, or MODULE key=value…)', EXIT.badOptions);
    return { module, words };
  }
  const module = options.moduleName ?? 'command';
  let words: string[];
  try {
    words = options.args === undefined ? [] : shlexSplit(options.args);
  } catch (error) {
    throw new CliError(`run: -a ${options.args}: ${(error as Error).message}`, EXIT.badOptions);
  }
  // the command module's free form, as `ansible -a 'uptime'`
  if (module === 'command' && options.args !== undefined && !/^\s*(cmd|creates|removes)=/.test(options.args))
    words = [`cmd=${options.args}`];
  return { module, words: [...words, ...rest] };
}

/** `sls-play run <inventory> <pattern> <module> key=value…` or `run -i inv <pattern> -m MODULE -a ARGS`, like `ansible`. */
export function registerRun(program: Command, done: (code: number) => void): void {
  const command = program
    .command('run')
    .description(
      'run one module ad hoc on the hosts matching a pattern (like ansible -m), e.g. -m service -a "unit=sophoslinuxsensor state=restarted"',
    )
    .usage('[options] <inventory> <pattern> <module> [key=value...]  |  -i <inventory> <pattern> -m <module> -a <args>')
    .argument('[inventory]', 'inventory file or directory (leave out with -i)')
    .argument('[pattern]', 'Ansible host pattern')
    .argument('[module]', `one of ${adhocModuleNames().join(', ')} (or -m)`)
    .argument('[args...]', 'key=value parameters of the module (or -a)');
  addRunOptions(command)
    .optionsGroup(GROUP.rollout)
    .option('-m, --module-name <module>', 'the module to run (default command, as in ansible)')
    .option('-a, --args <args>', "the module's key=value parameters in one word; for command, the command line")
    .option('-C, --check', 'dry run: say what would change, change nothing')
    .option('-D, --diff', 'print the diff of a file change (secrets redacted)')
    .action(async (inventory: string, pattern: string, module: string, words: string[], options: RunOptions) => {
      const given = adhocWords('run', [inventory, pattern, module, ...words], Boolean(options.inventory?.length));
      const call = moduleCall(options, given.rest);
      let task: ReturnType<typeof adhocTask>;
      try {
        task = adhocTask(call.module, call.words);
      } catch (error) {
        throw new CliError(`run: ${(error as Error).message}`, EXIT.badOptions);
      }
      const paths = inventoryPaths(given.inventory, options.inventory);
      const targets = await loadTargets(paths, given.pattern, options.extraVars, options.limit, options);
      if (options.listHosts) return done(printListHosts(targets));
      const adhoc = playbook({ name: `ad hoc ${call.module}`, tasks: [task] });
      const settings = { check: Boolean(options.check), diff: Boolean(options.diff) };
      done(await execute(adhoc, targets, options, settings));
    });
}
