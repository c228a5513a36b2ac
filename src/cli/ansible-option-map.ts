/**
 * Every option of `ansible-playbook` and `ansible` (ansible-core 2.x --help), with what sls-play
 * does for it. docs/coming-from-ansible.md is generated from this and the command definitions;
 * a test fails when Ansible's help shows an option this list does not explain.
 */
export type Verdict = 'same' | 'different' | 'not applicable';

export interface AnsibleOption {
  /** Ansible's flags as its help shows them. */
  flags: string;
  /** The programs that have it. */
  in: readonly ('ansible-playbook' | 'ansible')[];
  /** sls-play's long flag for it, when there is one. */
  ours?: string;
  verdict: Verdict;
  /** How it differs, or why it does not apply (empty when the same). */
  note: string;
}

const BOTH = ['ansible-playbook', 'ansible'] as const;
const PLAYBOOK = ['ansible-playbook'] as const;
const ADHOC = ['ansible'] as const;

export const ANSIBLE_OPTIONS: readonly AnsibleOption[] = [
  // inventory and variables
  {
    flags: '-i, --inventory, --inventory-file',
    in: BOTH,
    ours: '--inventory',
    verdict: 'different',
    note: 'repeatable and merged in order as in Ansible; a comma-separated host list (`-i a,b,`) is not read; the positional inventory also works',
  },
  { flags: '-l, --limit', in: BOTH, ours: '--limit', verdict: 'same', note: '' },
  { flags: '-e, --extra-vars', in: BOTH, ours: '--extra-vars', verdict: 'same', note: '' },
  { flags: '--list-hosts', in: BOTH, ours: '--list-hosts', verdict: 'same', note: '' },
  // vault
  { flags: '--vault-id', in: BOTH, ours: '--vault-id', verdict: 'same', note: '' },
  {
    flags: '--vault-password-file, --vault-pass-file',
    in: BOTH,
    ours: '--vault-password-file',
    verdict: 'same',
    note: '',
  },
  {
    flags: '--ask-vault-password, --ask-vault-pass',
    in: BOTH,
    ours: '--ask-vault-pass',
    verdict: 'same',
    note: '',
  },
  // connection
  {
    flags: '-u, --user',
    in: BOTH,
    ours: '--user',
    verdict: 'same',
    note: 'the inventory `ansible_user` wins over it, as in Ansible',
  },
  {
    flags: '--private-key, --key-file',
    in: BOTH,
    ours: '--key-file',
    verdict: 'same',
    note: 'an encrypted key: its passphrase is asked once on a terminal, else read from SLS_PLAY_KEY_PASSPHRASE',
  },
  { flags: '-k, --ask-pass', in: BOTH, ours: '--ask-pass', verdict: 'same', note: 'terminal only' },
  {
    flags: '--connection-password-file, --conn-pass-file',
    in: BOTH,
    ours: '--connection-password-file',
    verdict: 'same',
    note: '',
  },
  {
    flags: '-c, --connection',
    in: BOTH,
    ours: '--connection',
    verdict: 'different',
    note: "`ssh` (default) or `local` only; Ansible's default `smart`, and `paramiko`, are ssh here",
  },
  {
    flags: '-T, --timeout',
    in: BOTH,
    ours: '--timeout',
    verdict: 'same',
    note: '`--connect-timeout` is another name for it',
  },
  {
    flags: '--ssh-common-args',
    in: BOTH,
    ours: '--ssh-common-args',
    verdict: 'different',
    note: 'sls-play speaks SSH itself: `-o` options it knows, `-i`, `-J`, `-p`, `-l` are honoured, others warned about',
  },
  { flags: '--ssh-extra-args', in: BOTH, ours: '--ssh-extra-args', verdict: 'different', note: 'as --ssh-common-args' },
  {
    flags: '--scp-extra-args',
    in: BOTH,
    verdict: 'not applicable',
    note: 'files travel over the SSH session itself, never through scp',
  },
  {
    flags: '--sftp-extra-args',
    in: BOTH,
    verdict: 'not applicable',
    note: 'files travel over the SSH session itself, never through sftp',
  },
  // privilege escalation
  { flags: '-b, --become', in: BOTH, ours: '--become', verdict: 'same', note: '' },
  { flags: '--become-user', in: BOTH, ours: '--become-user', verdict: 'same', note: '' },
  {
    flags: '--become-method',
    in: BOTH,
    ours: '--become-method',
    verdict: 'different',
    note: 'sudo only: `su` reads its password from a terminal only, and sls-play sends passwords over stdin, never on a command line',
  },
  { flags: '-K, --ask-become-pass', in: BOTH, ours: '--ask-become-pass', verdict: 'same', note: 'terminal only' },
  {
    flags: '--become-password-file, --become-pass-file',
    in: BOTH,
    ours: '--become-password-file',
    verdict: 'same',
    note: '',
  },
  // what runs
  {
    flags: '-C, --check',
    in: BOTH,
    ours: '--check',
    verdict: 'different',
    note: 'the framework guarantees that no host is changed',
  },
  { flags: '-D, --diff', in: BOTH, ours: '--diff', verdict: 'same', note: 'secrets are redacted' },
  { flags: '-f, --forks', in: BOTH, ours: '--forks', verdict: 'different', note: 'default 50 (Ansible: 5)' },
  { flags: '-t, --tags', in: PLAYBOOK, ours: '--tags', verdict: 'same', note: '' },
  { flags: '--skip-tags', in: PLAYBOOK, ours: '--skip-tags', verdict: 'same', note: '' },
  { flags: '--list-tasks', in: PLAYBOOK, ours: '--list-tasks', verdict: 'same', note: 'the handlers are listed too' },
  { flags: '--list-tags', in: PLAYBOOK, ours: '--list-tags', verdict: 'same', note: '' },
  { flags: '--syntax-check', in: PLAYBOOK, ours: '--syntax-check', verdict: 'same', note: '' },
  {
    flags: '--start-at-task',
    in: PLAYBOOK,
    ours: '--start-at-task',
    verdict: 'same',
    note: 'the skipped tasks are reported as skipped, saying why',
  },
  {
    flags: '--step',
    in: PLAYBOOK,
    ours: '--step',
    verdict: 'different',
    note: 'hosts run at once: each task is asked about once, for every host',
  },
  {
    flags: '--force-handlers',
    in: PLAYBOOK,
    ours: '--force-handlers',
    verdict: 'same',
    note: 'without it, handlers a failed host was owed are recorded on it and run next time',
  },
  {
    flags: '--flush-cache',
    in: PLAYBOOK,
    ours: '--flush-cache',
    verdict: 'different',
    note: 'accepted and does nothing: there is no fact cache (facts are read fresh every run)',
  },
  {
    flags: '--task-timeout',
    in: ADHOC,
    ours: '--task-timeout',
    verdict: 'different',
    note: 'bounds each command (default 300 s), on every command',
  },
  {
    flags: '-m, --module-name',
    in: ADHOC,
    ours: '--module-name',
    verdict: 'different',
    note: 'on `run`: the modules sls-play has (file, command, service, lineinfile, package, wait_for, assert)',
  },
  {
    flags: '-a, --args',
    in: ADHOC,
    ours: '--args',
    verdict: 'same',
    note: 'on `run`; `-a` alone runs a command, as `ansible -a` does',
  },
  {
    flags: '-B, --background',
    in: ADHOC,
    verdict: 'not applicable',
    note: 'no asynchronous tasks: a command runs within --task-timeout',
  },
  { flags: '-P, --poll', in: ADHOC, verdict: 'not applicable', note: 'no asynchronous tasks, so nothing to poll' },
  {
    flags: '-o, --one-line',
    in: ADHOC,
    verdict: 'not applicable',
    note: 'one line per host already when not on a terminal; `--json` for scripts',
  },
  {
    flags: '-t, --tree',
    in: ADHOC,
    verdict: 'not applicable',
    note: "`--json-out FILE` writes every host's result to one file (in `ansible`, -t is --tree; in sls-play and ansible-playbook, --tags)",
  },
  {
    flags: '--playbook-dir',
    in: ADHOC,
    verdict: 'not applicable',
    note: 'playbooks are TypeScript modules that import what they use: no roles or playbook directory to find',
  },
  {
    flags: '-M, --module-path',
    in: BOTH,
    verdict: 'not applicable',
    note: 'modules are TypeScript functions a playbook imports, not files on a search path',
  },
  // output and help
  {
    flags: '-v, --verbose',
    in: BOTH,
    ours: '--verbose',
    verdict: 'different',
    note: 'one level: the commands run and their output (secrets redacted); -vvv is the same',
  },
  {
    flags: '--version',
    in: BOTH,
    ours: '--version',
    verdict: 'different',
    note: '`sls-play --version` prints the version only',
  },
  { flags: '-h, --help', in: BOTH, ours: '--help', verdict: 'same', note: '' },
];

/** Every long flag Ansible spells the option with (`--ask-vault-pass` and `--ask-vault-password` alike). */
export function longFlags(option: AnsibleOption): string[] {
  return option.flags.split(/,\s*/).filter((flag) => flag.startsWith('--'));
}
