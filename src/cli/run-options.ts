import { Option, type Command } from 'commander';
import type { HostKeyChecking } from '../transport/types.ts';
import { SSH_CLIENT_SETTINGS, type SshClientSetting } from '../transport/client-choice.ts';
import { addVaultOptions, type VaultCliOptions } from './vault-options.ts';
import type { AnsibleSettings } from '../config/ansible-settings.ts';
import { applyAnsibleConfig } from './ansible-config.ts';
import { CliError, EXIT } from './errors.ts';

/** Options every host-touching command shares (cli.md). */
export interface RunCliOptions extends VaultCliOptions {
  inventory?: string[];
  limit?: string;
  forks: string;
  extraVars: string[];
  json?: boolean;
  knownHosts?: string;
  hostKeyChecking?: HostKeyChecking;
  sshConfig?: string;
  /** --ssh-client: wins over each host's sls_ssh_client. */
  sshClient?: SshClientSetting;
  /** -T/--timeout, folded into connectTimeout before the action runs. */
  timeout?: string;
  connectTimeout: string;
  /** -T or --connect-timeout came from the command line (set before the action runs). */
  connectTimeoutExplicit?: boolean;
  taskTimeout: string;
  user?: string;
  keyFile?: string;
  askPass?: boolean;
  /** --connection-password-file (commander names it by its second flag). */
  connPassFile?: string;
  /** --become-password-file. */
  becomePassFile?: string;
  connection?: 'ssh' | 'local';
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
  askBecomePass?: boolean;
  flushCache?: boolean;
  verbose?: boolean;
  retries: string;
  /** Seconds to wait for a host another run holds. */
  lockWait: string;
  slice?: string;
  jsonOut?: string;
  junit?: string;
  htmlOut?: string;
  /** The command's name and inventory argument, for the documents' `run` object (set before the action runs). */
  invocation?: { command: string; inventory?: string };
  listHosts?: boolean;
  /** ansible.cfg and ANSIBLE_* (set before the action runs). */
  ansible?: AnsibleSettings;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The help headings, as ansible-playbook --help groups its options. */
export const GROUP = {
  inventory: 'Inventory Options:',
  connection: 'Connection Options:\n  control as whom and how to connect to hosts\n',
  become: 'Privilege Escalation Options:\n  control how and which user you become as on target hosts\n',
  rollout: 'Rollout Options:\n  which tasks run, where, and how many hosts at once\n',
  output: 'Output Options:',
  vault: 'Vault Options:',
} as const;

/** `-T/--timeout` and `--connect-timeout` are one setting: whichever the command line gave wins over the default. */
function foldTimeouts(command: Command): void {
  const given = command.getOptionValue('timeout');
  if (given !== undefined) command.setOptionValueWithSource('connectTimeout', given, 'cli');
  const source = command.getOptionValueSource('connectTimeout');
  command.setOptionValue('connectTimeoutExplicit', source === 'cli');
}

/**
 * `su` would need its password typed on a terminal (it reads no stdin), which sls-play's hosts do
 * not have; sending the password any other way would put it where other users can read it.
 */
function checkBecomeMethod(command: Command): void {
  const method = command.getOptionValue('becomeMethod');
  if (method === undefined || method === 'sudo') return;
  const why =
    method === 'su'
      ? 'su reads its password only from a terminal, and sls-play sends become passwords over stdin only, never on a command line'
      : 'only sudo is supported';
  throw new CliError(`--become-method ${method} is not supported: ${why}; use sudo (the default)`, EXIT.badOptions);
}

function addConnectionOptions(command: Command): Command {
  return command
    .optionsGroup(GROUP.connection)
    .option(
      '-u, --user <name>',
      'connect as this user (default: the ssh config User, else your login name; ansible.cfg remote_user; the inventory ansible_user wins, as in Ansible)',
    )
    .option(
      '--private-key, --key-file <file>',
      'use this key file to log in (also ansible.cfg private_key_file; the inventory ansible_ssh_private_key_file wins, as in Ansible); an encrypted key asks for its passphrase once on a terminal, else reads SLS_PLAY_KEY_PASSPHRASE',
    )
    .option(
      '-k, --ask-pass',
      'ask once for the SSH password, used for every host (terminal only; ansible_password wins)',
    )
    .option(
      '--connection-password-file, --conn-pass-file <file>',
      'read the SSH password from this file (as -k, without a terminal)',
    )
    .addOption(
      new Option(
        '-c, --connection <type>',
        'ssh, or local: run on this machine (default ssh; the inventory ansible_connection wins, as in Ansible; no smart/paramiko)',
      ).choices(['ssh', 'local']),
    )
    .option(
      '-T, --timeout <s>',
      'connection timeout in seconds (default 10; also --connect-timeout, ansible.cfg timeout, ANSIBLE_TIMEOUT); wins over ConnectTimeout in the ssh config, as ssh -o does',
    )
    .option('--connect-timeout <s>', 'the same as -T/--timeout', '10')
    .option(
      '--ssh-common-args <args>',
      'ssh options for every host, e.g. "-o UserKnownHostsFile=f" (only -o options, -i, -J, -p, -l are understood; the inventory ansible_ssh_common_args wins, as in Ansible)',
    )
    .option(
      '--ssh-extra-args <args>',
      'more ssh options, as --ssh-common-args (the inventory ansible_ssh_extra_args wins, as in Ansible)',
    )
    .option(
      '--known-hosts <file>',
      'known_hosts file to verify host keys against (default ~/.ssh/known_hosts, or UserKnownHostsFile of the ssh config; not in Ansible)',
    )
    .addOption(
      new Option(
        '--host-key-checking <mode>',
        'unknown or changed host keys: strict fails the host (default strict; also ansible.cfg host_key_checking, ansible_host_key_checking, StrictHostKeyChecking; not an option in Ansible)',
      ).choices(['strict', 'accept-new', 'off']),
    )
    .option(
      '--ssh-config <file>',
      'OpenSSH client config to read instead of ~/.ssh/config and /etc/ssh/ssh_config (ssh -F; not an option in Ansible)',
    )
    .addOption(
      new Option(
        '--ssh-client <client>',
        'SSH client for every host: auto, ssh2 (built in) or openssh (the system ssh); default sls_ssh_client, else auto (not an option in Ansible)',
      ).choices(SSH_CLIENT_SETTINGS),
    )
    .option('--retries <n>', 'connection attempts after the first, with backoff (not an option in Ansible)', '2');
}

function addBecomeOptions(command: Command): Command {
  return command
    .optionsGroup(GROUP.become)
    .option(
      '-b, --become',
      'run operations with become (sudo); the playbook decides which tasks need it (default off; ansible.cfg become; ansible_become wins)',
    )
    .option(
      '--become-user <name>',
      'run operations as this user (default root; ansible.cfg become_user; ansible_become_user wins)',
    )
    .addOption(
      new Option(
        '--become-method <method>',
        'privilege escalation method (default sudo; su is refused: it reads its password only from a terminal)',
      ).choices(['sudo', 'su']),
    )
    .option('-K, --ask-become-pass', 'ask once for the sudo password (terminal only; ansible_become_password wins)')
    .option(
      '--become-password-file, --become-pass-file <file>',
      'read the sudo password from this file (as -K, without a terminal)',
    );
}

function addRolloutOptions(command: Command): Command {
  return command
    .optionsGroup(GROUP.rollout)
    .option(
      '-l, --limit <pattern>',
      'Ansible host pattern selecting hosts (web*, group, a,b, all:!old, prod:&eu, ~regex)',
    )
    .option('-f, --forks <n>', 'hosts worked on at once (Ansible: 5; also ansible.cfg forks, ANSIBLE_FORKS)', '50')
    .option(
      '--task-timeout <s>',
      'per-command timeout in seconds, 0 for none (Ansible: per task, default none; was -t/--timeout before 0.3.0)',
      '300',
    )
    .option(
      '--lock-wait <s>',
      'wait this long for a host another run holds, then fail that host (0: at once; not an option in Ansible)',
      '60',
    )
    .option('--slice <k/n>', 'work on slice k of n (by a hash of the host name, after -l): one share per controller')
    .option('--list-hosts', 'print the hosts that would be worked on (as ansible --list-hosts) and touch none')
    .option('--flush-cache', 'accepted for Ansible command lines; does nothing (sls-play keeps no fact cache)');
}

function addOutputOptions(command: Command): Command {
  return command
    .optionsGroup(GROUP.output)
    .option('--json', 'print one JSON document on stdout; human output goes to stderr')
    .option('-v, --verbose', 'show the commands run and their output (secrets redacted); one level, not -vvv')
    .option('--json-out <file>', 'also write the --json document to a file (even when interrupted); for report merge')
    .option('--junit <file>', 'write a JUnit XML report for CI: one testcase per host (even when interrupted)')
    .option('--html-out <file>', 'write a self-contained HTML report of the run (even when interrupted)');
}

export function addRunOptions(command: Command): Command {
  const withHooks = command
    .hook('preAction', (_, action) => foldTimeouts(action))
    .hook('preAction', (_, action) => checkBecomeMethod(action))
    // ansible.cfg and ANSIBLE_* fill in what the command line leaves at its defaults
    .hook('preAction', (_, action) => applyAnsibleConfig(action))
    .hook('preAction', (_, action) => {
      const given: string[] = action.getOptionValue('inventory') ?? [];
      // with -i, exec and run read their first argument as the host pattern
      const positional = given.length && ['exec', 'run'].includes(action.name()) ? undefined : action.args[0];
      const inventory = [...(positional ? [positional] : []), ...given].join(',');
      action.setOptionValue('invocation', { command: action.name(), inventory: inventory || undefined });
    })
    .optionsGroup(GROUP.inventory)
    .option(
      '-i, --inventory <path>',
      'inventory file or directory (repeatable: merged in order, as Ansible does; also ansible.cfg inventory, ANSIBLE_INVENTORY)',
      collect,
    )
    .option('-e, --extra-vars <k=v|@file.yml>', 'highest-precedence variables (repeatable)', collect, []);
  addVaultOptions(withHooks.optionsGroup(GROUP.vault));
  addConnectionOptions(withHooks);
  addBecomeOptions(withHooks);
  addRolloutOptions(withHooks);
  addOutputOptions(withHooks);
  return withHooks.optionsGroup(GROUP.rollout);
}
