import { Option, type Command } from 'commander';
import type { HostKeyChecking } from '../transport/types.ts';
import { addVaultOptions, type VaultCliOptions } from './vault-options.ts';
import type { AnsibleSettings } from '../config/ansible-settings.ts';
import { applyAnsibleConfig } from './ansible-config.ts';

/** Options every host-touching command shares (cli.md). */
export interface RunCliOptions extends VaultCliOptions {
  limit?: string;
  forks: string;
  extraVars: string[];
  json?: boolean;
  knownHosts?: string;
  hostKeyChecking?: HostKeyChecking;
  sshConfig?: string;
  timeout: string;
  connectTimeout: string;
  askBecomePass?: boolean;
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

const collect = (value: string, previous: string[]) => [...previous, value];

export function addRunOptions(command: Command): Command {
  const withRunOptions = command
    // ansible.cfg and ANSIBLE_* fill in what the command line leaves at its defaults
    .hook('preAction', (_, action) => applyAnsibleConfig(action))
    .hook('preAction', (_, action) => {
      action.setOptionValue('invocation', { command: action.name(), inventory: action.args[0] });
    })
    .option(
      '-l, --limit <pattern>',
      'Ansible host pattern selecting hosts (web*, group, a,b, all:!old, prod:&eu, ~regex)',
    )
    .option('-f, --forks <n>', 'hosts worked on at once', '50')
    .option('-e, --extra-vars <k=v|@file.yml>', 'highest-precedence variables (repeatable)', collect, [])
    .option('--json', 'print one JSON document on stdout; human output goes to stderr')
    .option('--known-hosts <file>', 'known_hosts file to verify host keys against (default ~/.ssh/known_hosts)')
    .addOption(
      new Option('--host-key-checking <mode>', 'unknown or changed host keys: strict fails the host').choices([
        'strict',
        'accept-new',
        'off',
      ]),
    )
    .option('--ssh-config <file>', 'OpenSSH client config to honour (default ~/.ssh/config)')
    .option('-t, --timeout <s>', 'per-command timeout in seconds (0: none)', '300')
    .option('--connect-timeout <s>', 'connection timeout in seconds', '10')
    .option('--retries <n>', 'connection attempts after the first, with backoff', '2')
    .option('--lock-wait <s>', 'wait this long for a host another run holds, then fail that host (0: at once)', '60')
    .option('-K, --ask-become-pass', 'prompt once for the sudo password')
    .option('-v, --verbose', 'show the commands run and their output (secrets redacted)')
    .option('--slice <k/n>', 'work on slice k of n (by a hash of the host name, after -l): one share per controller')
    .option('--json-out <file>', 'also write the --json document to a file (even when interrupted); for report merge')
    .option('--junit <file>', 'write a JUnit XML report for CI: one testcase per host (even when interrupted)')
    .option('--html-out <file>', 'write a self-contained HTML report of the run (even when interrupted)')
    .option('--list-hosts', 'print the hosts that would be worked on (as ansible --list-hosts) and touch none');
  return addVaultOptions(withRunOptions);
}
