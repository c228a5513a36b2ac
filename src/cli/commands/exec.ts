import type { Command } from 'commander';
import { adhocPlaybook } from '../../playbook/adhoc.ts';
import { CliError, EXIT } from '../errors.ts';
import { execute } from '../execute.ts';
import { addRunOptions, type RunCliOptions } from '../run-options.ts';
import { printListHosts } from '../list-hosts.ts';
import { loadTargets } from '../targets.ts';

export function registerExec(program: Command, done: (code: number) => void): void {
  addRunOptions(
    program
      .command('exec')
      .description('run an ad hoc command on the hosts matching a pattern')
      .argument('<inventory>', 'inventory file or directory')
      .argument('<pattern>', 'Ansible host pattern (all, a host, a group, web*, a,b, all:!old)')
      // optional to commander so that `--list-hosts` needs none; a run without one is refused below
      .argument('[command...]', 'the command, after -- (not needed with --list-hosts)')
      .option('--no-lock', 'run even where another run holds the host (a read-only command during a rollout)'),
  ).action(async (inventory: string, pattern: string, words: string[], options: RunCliOptions & { lock: boolean }) => {
    const command = words.join(' ');
    if (!command.trim() && !options.listHosts)
      throw new CliError('exec: no command given; put it after --, e.g. -- uptime', EXIT.badOptions);
    const targets = await loadTargets(inventory, pattern, options.extraVars, options.limit, options);
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
