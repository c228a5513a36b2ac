import type { Command } from 'commander';
import { adhocPlaybook } from '../../playbook/adhoc.ts';
import { CliError, EXIT } from '../errors.ts';
import { execute } from '../execute.ts';
import { addRunOptions, type RunCliOptions } from '../run-options.ts';
import { printListHosts } from '../list-hosts.ts';
import { loadTargets } from '../targets.ts';
import { adhocWords } from '../adhoc-args.ts';
import { inventoryPaths } from '../command-line-vars.ts';

export function registerExec(program: Command, done: (code: number) => void): void {
  addRunOptions(
    program
      .command('exec')
      .description('run an ad hoc command on the hosts matching a pattern')
      .usage('[options] <inventory> <pattern> -- <command...>  |  -i <inventory> [options] <pattern> -- <command...>')
      // optional to commander: with -i the first word is the pattern; `--list-hosts` needs no command
      .argument('[inventory]', 'inventory file or directory (leave out with -i)')
      .argument('[pattern]', 'Ansible host pattern (all, a host, a group, web*, a,b, all:!old)')
      .argument('[command...]', 'the command, after -- (not needed with --list-hosts)')
      .option('--no-lock', 'run even where another run holds the host (a read-only command during a rollout)'),
  ).action(async (inventory: string, pattern: string, words: string[], options: RunCliOptions & { lock: boolean }) => {
    const given = adhocWords('exec', [inventory, pattern, ...words], Boolean(options.inventory?.length));
    const command = given.rest.join(' ');
    if (!command.trim() && !options.listHosts)
      throw new CliError('exec: no command given; put it after --, e.g. -- uptime', EXIT.badOptions);
    const paths = inventoryPaths(given.inventory, options.inventory);
    const targets = await loadTargets(paths, given.pattern, options.extraVars, options.limit, options);
    if (options.listHosts) return done(printListHosts(targets));
    done(
      await execute(adhocPlaybook(command), targets, options, {
        check: false,
        diff: false,
        lock: options.lock ? undefined : 'off',
      }),
    );
  });
}
