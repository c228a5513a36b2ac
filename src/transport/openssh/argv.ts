/**
 * The `ssh` command lines, built as a list of groups, each with the reason it is there (shown
 * with -v). ssh takes the first value of an option, command line before config files, so the
 * order is the precedence: what the run cannot work without, then the command line's explicit
 * choices, then the user's own ssh arguments (unchanged), then the inventory; the run's defaults
 * come in a config file read before the user's own.
 */
import type { HostKeyChecking } from '../types.ts';

export interface ArgGroup {
  reason: string;
  args: string[];
}

export interface MasterInputs {
  /** The name ssh is given (ansible_host, else the inventory name): its config applies to it. */
  destination: string;
  controlPath: string;
  /** --ssh-config: read instead of ~/.ssh/config and /etc/ssh/ssh_config, as `ssh -F`. */
  configFile?: string;
  /** ansible_ssh_args, ansible_ssh_common_args, ansible_ssh_extra_args, as shell words. */
  userArgs: string[];
  /** From the inventory only (ssh reads the config's own values itself). */
  user?: string;
  port?: number;
  identityFiles: string[];
  hostKeyChecking: HostKeyChecking;
  /** The command line chose the host key checking (--host-key-checking): it wins over the user's arguments. */
  hostKeyCheckingExplicit: boolean;
  /** --known-hosts, when given (else ssh's own UserKnownHostsFile). */
  knownHostsFile?: string;
  /** 0: none. */
  connectTimeoutMs: number;
}

/** ssh splits an -o value or a config argument on whitespace; a path with spaces is quoted for it. */
function sshValue(value: string): string {
  return /[\s"']/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value;
}

const STRICT: Record<HostKeyChecking, string> = { strict: 'yes', 'accept-new': 'accept-new', off: 'no' };

/** The host key settings as `Keyword value` pairs. */
function hostKeySettings(inputs: MasterInputs): Array<[string, string]> {
  const settings: Array<[string, string]> = [['StrictHostKeyChecking', STRICT[inputs.hostKeyChecking]]];
  // off records nothing, as in the ssh2 client
  if (inputs.hostKeyChecking === 'off') {
    settings.push(['UserKnownHostsFile', '/dev/null'], ['GlobalKnownHostsFile', '/dev/null']);
  } else if (inputs.knownHostsFile !== undefined) {
    settings.push(['UserKnownHostsFile', sshValue(inputs.knownHostsFile)]);
  }
  return settings;
}

const asOptions = (settings: Array<[string, string]>): string[] =>
  settings.flatMap(([keyword, value]) => ['-o', `${keyword}=${value}`]);

/**
 * The run's settings as an ssh config file (`-F`), because ssh hands only `-F` (not `-o`) on to
 * the `ssh -W` it starts for each ProxyJump hop: BatchMode, host keys, the inventory's keys and
 * the timeouts then hold for the bastions too, as in the ssh2 client. It ends by including the
 * config ssh would have read (--ssh-config, else ~/.ssh/config then /etc/ssh/ssh_config), so the
 * user's settings apply after these.
 */
export function runConfigText(inputs: MasterInputs, readConfigs: string[]): string {
  const lines = [
    `# sls-play: ssh settings for ${inputs.destination} and its ProxyJump hops, for one run`,
    '# never prompt: a question nobody answers fails the host instead',
    'BatchMode yes',
    '# host keys: --host-key-checking, --known-hosts, ansible_host_key_checking, the ssh config, else strict',
    ...hostKeySettings(inputs).map(([keyword, value]) => `${keyword} ${value}`),
  ];
  if (inputs.identityFiles.length > 0) {
    lines.push(
      '# inventory: ansible_ssh_private_key_file',
      ...inputs.identityFiles.map((f) => `IdentityFile ${sshValue(f)}`),
    );
  }
  if (inputs.connectTimeoutMs > 0) {
    lines.push(
      '# connection timeout (--connect-timeout or ConnectTimeout), whole seconds',
      `ConnectTimeout ${Math.max(1, Math.ceil(inputs.connectTimeoutMs / 1000))}`,
    );
  }
  lines.push(
    '# keepalive: a host that stops answering is lost within a minute, as with ssh2',
    'ServerAliveInterval 15',
    'ServerAliveCountMax 4',
    '# then the config ssh would have read',
    ...readConfigs.map((file) => `Include ${sshValue(file)}`),
  );
  return `${lines.join('\n')}\n`;
}

/** Options of the user's that would take our connection sharing away: ours decide it. */
const SHARING_OPTION = /^(?:-o\s*)?control(?:master|path|persist)\b/i;

/** The user's arguments without the ones that would break connection sharing, and those dropped. */
export function userArgsForOpenSsh(words: string[]): { kept: string[]; dropped: string[] } {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '-o' && i + 1 < words.length && SHARING_OPTION.test(words[i + 1]!)) {
      dropped.push(word, words[++i]!);
    } else if (word.startsWith('-o') && SHARING_OPTION.test(word)) {
      dropped.push(word);
    } else if (word === '-S' && i + 1 < words.length) {
      dropped.push(word, words[++i]!);
    } else if (/^-[MfN]+$/.test(word) || /^-S./.test(word)) {
      dropped.push(word);
    } else {
      kept.push(word);
    }
  }
  return { kept, dropped };
}

/** The master connection: logs in, listens on the ControlPath, and (ControlPersist) goes to the background. */
export function masterArgGroups(inputs: MasterInputs, runConfig: string, logFile: string): ArgGroup[] {
  const groups: ArgGroup[] = [
    {
      reason: 'one master connection for the run, every command through it',
      args: [
        '-o',
        'ControlMaster=yes',
        '-o',
        `ControlPath=${sshValue(inputs.controlPath)}`,
        '-o',
        'ControlPersist=yes',
        '-N',
      ],
    },
    {
      // sshconnect.c sends a ProxyCommand's stderr to /dev/null under ControlPersist, unless -v
      reason: "ssh's messages to a file, so that a ProxyCommand's or ProxyJump's errors still reach us",
      args: ['-v', '-E', logFile],
    },
    {
      reason: `this run's settings, also for ProxyJump hops, then ${inputs.configFile === undefined ? '~/.ssh/config and /etc/ssh/ssh_config' : `--ssh-config ${inputs.configFile}`}`,
      args: ['-F', runConfig],
    },
  ];
  if (inputs.hostKeyCheckingExplicit) {
    groups.push({
      reason: 'host keys: --host-key-checking wins over ssh arguments',
      args: asOptions(hostKeySettings(inputs)),
    });
  }
  const user = userArgsForOpenSsh(inputs.userArgs);
  if (user.kept.length > 0) {
    groups.push({
      reason: 'ansible_ssh_args / ansible_ssh_common_args / ansible_ssh_extra_args, unchanged',
      args: user.kept,
    });
  }
  const inventory = [
    ...(inputs.user !== undefined ? ['-l', inputs.user] : []),
    ...(inputs.port !== undefined ? ['-p', String(inputs.port)] : []),
  ];
  if (inventory.length > 0) groups.push({ reason: 'inventory: ansible_user, ansible_port', args: inventory });
  groups.push({
    reason: 'the host, as the inventory names it (the ssh config applies)',
    args: ['--', inputs.destination],
  });
  return groups;
}

/**
 * A command through the master. It reads no config (the master has decided everything), its own
 * messages go to /dev/null so the command's stderr is the command's alone, and without a master
 * it fails instead of opening a second connection.
 */
export function clientArgs(controlPath: string, destination: string, extra: string[]): string[] {
  return [
    '-F',
    '/dev/null',
    '-o',
    `ControlPath=${sshValue(controlPath)}`,
    '-o',
    'ControlMaster=no',
    '-o',
    'ProxyCommand=false',
    '-o',
    'BatchMode=yes',
    '-E',
    '/dev/null',
    ...extra,
    '--',
    destination,
  ];
}

/** A command on the host: no pty, no X11 or agent forwarding, as the ssh2 client runs it. */
export function execArgs(controlPath: string, destination: string, command: string): string[] {
  return [...clientArgs(controlPath, destination, ['-T', '-x', '-a']), command];
}

/** `ssh -O check` or `-O exit`: asks the master, runs nothing on the host. */
export function controlArgs(controlPath: string, destination: string, operation: 'check' | 'exit'): string[] {
  return clientArgs(controlPath, destination, ['-O', operation]);
}

/** `-v`'s account of a command line: one line per group, with its reason. */
export function describeGroups(groups: ArgGroup[]): string[] {
  return groups.map((group) => `${group.args.join(' ')}    # ${group.reason}`);
}
