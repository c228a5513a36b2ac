import { homedir } from 'node:os';
import { localUserInfo } from './local_user.ts';
import { join } from 'node:path';
import { parseSshArgs, splitShellWords } from './ssh_args.ts';
import { expandProxyCommand } from './proxy_command.ts';
import {
  hostKeyCheckingFrom,
  loadSshConfigFile,
  loadUserAndSystemConfig,
  lookupSshConfig,
  parseProxyJump,
  type ExpandContext,
  type JumpHop,
  type SshConfig,
  type SshConfigHost,
} from './ssh_config.ts';
import type { ConnectOptions, HostKeyChecking } from './types.ts';

/** Every inventory variable resolveConnectOptions reads. */
export const CONNECTION_VARIABLES: ReadonlySet<string> = new Set([
  'ansible_host',
  'ansible_port',
  'ansible_user',
  'ansible_ssh_private_key_file',
  'ansible_private_key_file',
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_become',
  'ansible_become_user',
  'ansible_become_password',
  'ansible_become_pass',
  'ansible_become_method',
  'ansible_ssh_args',
  'ansible_ssh_common_args',
  'ansible_ssh_extra_args',
  'ansible_host_key_checking',
  'ansible_connection',
]);

/** Where ssh reads its system-wide client config; SLS_PLAY_SYSTEM_SSH_CONFIG moves it for tests. */
export const SYSTEM_SSH_CONFIG = '/etc/ssh/ssh_config';

export interface ResolveSettings {
  /**
   * OpenSSH client config, read instead of both ~/.ssh/config and the system-wide file (as
   * `ssh -F`; `none` reads no file). Default: ~/.ssh/config, then /etc/ssh/ssh_config.
   */
  sshConfigFile?: string;
  /** The system-wide file read after ~/.ssh/config; default SYSTEM_SSH_CONFIG. */
  systemSshConfigFile?: string;
  /** --known-hosts: wins over UserKnownHostsFile; default ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  hostKeyChecking: HostKeyChecking;
  /** The user gave --host-key-checking: it then wins over the ssh config and inventory. */
  hostKeyCheckingExplicit?: boolean;
  connectTimeoutMs: number;
  /** The user gave -T/--connect-timeout: it then wins over the ssh config and ssh arguments, as `ssh -o` does. */
  connectTimeoutExplicit?: boolean;
  /** From -k: used when the inventory gives no ansible_password. */
  password?: string;
  commandTimeoutMs?: number;
  /** From -K: used when the inventory gives no ansible_become_password. */
  becomePassword?: string;
  /** From SLS_PLAY_KEY_PASSPHRASE or a prompt. */
  keyPassphrase?: string;
  /** For tests; default the current user's home and name. */
  home?: string;
  localUser?: string;
}

export interface ResolvedConnectOptions extends ConnectOptions {
  /** `local` (ansible_connection: local, -c local): the controller runs the commands itself. */
  connection: 'ssh' | 'local';
  /** Inventory or config settings that were ignored, one sentence each, for the caller to show. */
  warnings: string[];
  /** The name ssh is given (ansible_host, else the inventory name). */
  sshName: string;
  /** The ssh config as it applies to sshName. */
  sshConfig: SshConfigHost;
  /** ansible_ssh_args, ansible_ssh_common_args, ansible_ssh_extra_args as words, in that order (ssh's first value wins). */
  sshArgWords: string[];
  /** Those of sshArgWords the ssh2 client does not honour (connection sharing and compression aside). */
  unhonouredSshArgs: string[];
}

type Hop = NonNullable<ConnectOptions['proxyJump']>[number];

/** Ansible's usual ssh_args (compression, connection sharing) change speed, not behaviour. */
const CONNECTION_SHARING = /^(?:-C|-o\s*(?:ControlMaster|ControlPersist|ControlPath|Compression)\b.*)$/i;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function port(value: unknown): number | undefined {
  const raw = text(value);
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** Ansible's booleans: yes/no, true/false, on/off, 1/0. */
function truthy(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const raw = text(value)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['yes', 'true', 'on', '1', 'y'].includes(raw)) return true;
  if (['no', 'false', 'off', '0', 'n'].includes(raw)) return false;
  return undefined;
}

function keyFiles(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(text).filter((v): v is string => v !== undefined);
  const one = text(value);
  return one === undefined ? [] : [one];
}

/** ssh unless the host says local; Ansible's other SSH plugins (smart, paramiko) are ssh here. */
function connectionType(name: string, value: unknown, warnings: string[]): 'ssh' | 'local' {
  const type = text(value)?.replace(/^ansible\.builtin\./, '');
  if (type === 'local') return 'local';
  if (type !== undefined && !['ssh', 'smart', 'paramiko', 'paramiko_ssh'].includes(type))
    warnings.push(`${name}: ansible_connection ${type} is not supported; ssh is used`);
  return 'ssh';
}

/**
 * Connection settings for one inventory host, as Ansible would reach it: inventory variables
 * first, then the OpenSSH client config for the name ssh would be given (ansible_host, or the
 * inventory name), then defaults. An explicit --host-key-checking wins over both.
 */
export function resolveConnectOptions(
  name: string,
  vars: Record<string, unknown>,
  settings: ResolveSettings,
): ResolvedConnectOptions {
  const home = settings.home ?? homedir();
  const localUser = settings.localUser ?? localUserInfo().username;
  const context: ExpandContext = { home, localUser };
  const expandHome = (file: string): string =>
    file === '~' ? home : file.startsWith('~/') ? join(home, file.slice(2)) : file;
  const config = sshConfigOf(settings, home, expandHome);
  const warnings: string[] = [];

  // ssh takes the first value of an option; Ansible's command line puts ssh_args (ansible.cfg, or
  // ansible_ssh_args) first, then ansible_ssh_common_args, then ansible_ssh_extra_args.
  const sshArgText = [
    text(vars.ansible_ssh_args),
    text(vars.ansible_ssh_common_args),
    text(vars.ansible_ssh_extra_args),
  ]
    .filter(Boolean)
    .join(' ');
  const sshArgs = parseSshArgs(sshArgText);
  // Ansible's usual connection sharing and compression change speed, not what happens on the host
  const unhonouredSshArgs = sshArgs.ignored.filter((arg) => !CONNECTION_SHARING.test(arg));
  const becomeMethod = text(vars.ansible_become_method);
  if (becomeMethod !== undefined && becomeMethod !== 'sudo') {
    warnings.push(`${name}: ansible_become_method ${becomeMethod} is not supported; sudo is used`);
  }

  const hostKeyChecking = (found: SshConfigHost): HostKeyChecking => {
    if (settings.hostKeyCheckingExplicit) return settings.hostKeyChecking;
    const fromArgs = sshArgs.options.stricthostkeychecking;
    const fromVars = truthy(vars.ansible_host_key_checking) === false ? 'off' : undefined;
    return (
      (fromArgs !== undefined ? hostKeyCheckingFrom(fromArgs) : undefined) ??
      fromVars ??
      found.hostKeyChecking ??
      settings.hostKeyChecking
    );
  };
  // Every file of UserKnownHostsFile is checked; a new key (accept-new) goes to the first, as in ssh.
  const knownHostsFiles = (found: SshConfigHost): string[] => {
    if (settings.knownHostsFile !== undefined) return [expandHome(settings.knownHostsFile)];
    const fromArgs = sshArgs.options.userknownhostsfile?.split(/\s+/).filter(Boolean);
    const files = fromArgs?.length
      ? fromArgs
      : found.userKnownHostsFiles.length
        ? found.userKnownHostsFiles
        : [join(home, '.ssh', 'known_hosts')];
    return files.map(expandHome);
  };
  const knownHosts = (found: SshConfigHost) => {
    const [first, ...more] = knownHostsFiles(found);
    return more.length ? { knownHostsFile: first!, extraKnownHostsFiles: more } : { knownHostsFile: first! };
  };
  const connectTimeoutMs = (found: SshConfigHost): number => {
    if (settings.connectTimeoutExplicit) return settings.connectTimeoutMs;
    const fromArgs = port(sshArgs.options.connecttimeout);
    // ConnectTimeout 0, as in ssh, is no timeout at all
    return fromArgs !== undefined ? fromArgs * 1000 : (found.connectTimeoutMs ?? settings.connectTimeoutMs);
  };

  const sshName = text(vars.ansible_host) ?? name;
  const found = lookupSshConfig(config, sshName, {
    ...context,
    user: text(vars.ansible_user),
    port: port(vars.ansible_port),
    // ssh reads -o options before its files: a ProxyCommand there beats the config's ProxyJump
    commandLine: Object.entries(sshArgs.options),
  });
  for (const warning of found.warnings ?? []) warnings.push(`ssh config ${warning}`);
  const inventoryKeys = keyFiles(vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file).map(expandHome);

  // Each bastion is looked up in the ssh config too; the first one's own ProxyJump comes before it.
  const resolveHops = (value: string | undefined, depth: number): Hop[] => {
    if (value === undefined) return [];
    if (depth > 5) {
      warnings.push(`${name}: ProxyJump chain deeper than 5 hops or looping; stopped there`);
      return [];
    }
    return parseProxyJump(value).flatMap((jump: JumpHop, index: number) => {
      const hopConfig = lookupSshConfig(config, jump.host, { ...context, user: jump.user, port: jump.port });
      for (const warning of hopConfig.warnings ?? []) warnings.push(`ssh config ${warning}`);
      const hop: Hop = {
        name: jump.host,
        address: hopConfig.hostName ?? jump.host,
        port: jump.port ?? hopConfig.port ?? 22,
        user: jump.user ?? hopConfig.user ?? localUser,
        privateKeyFiles: [...new Set([...hopConfig.identityFiles, ...inventoryKeys])],
        ...certificateOptions(hopConfig),
        privateKeyPassphrase: settings.keyPassphrase,
        ...knownHosts(hopConfig),
        hostKeyChecking: hostKeyChecking(hopConfig),
        connectTimeoutMs: connectTimeoutMs(hopConfig),
      };
      // ssh reaches the first bastion with its own config (its ProxyJump or ProxyCommand); later
      // ones through the hop before them
      if (index !== 0) return [hop];
      if (hopConfig.proxyCommand !== undefined)
        hop.proxyCommand = proxyCommandFor(hopConfig.proxyCommand, hop, jump.host, hopConfig, warnings);
      return [...resolveHops(hopConfig.proxyJump, depth + 1), hop];
    });
  };
  const proxyJump = resolveHops(found.proxyJump, 0);

  const becomePassword =
    text(vars.ansible_become_password) ?? text(vars.ansible_become_pass) ?? settings.becomePassword;
  const options: ResolvedConnectOptions = {
    name,
    address: found.hostName ?? sshName,
    port: port(vars.ansible_port) ?? found.port ?? 22,
    user: text(vars.ansible_user) ?? found.user ?? localUser,
    privateKeyFiles: [...new Set([...inventoryKeys, ...found.identityFiles])],
    ...certificateOptions(found),
    privateKeyPassphrase: settings.keyPassphrase,
    password: text(vars.ansible_password) ?? text(vars.ansible_ssh_pass) ?? settings.password,
    ...knownHosts(found),
    hostKeyChecking: hostKeyChecking(found),
    connectTimeoutMs: connectTimeoutMs(found),
    commandTimeoutMs: settings.commandTimeoutMs,
    become: {
      enabled: truthy(vars.ansible_become) ?? false,
      user: text(vars.ansible_become_user) ?? 'root',
      password: becomePassword,
    },
    connection: connectionType(name, vars.ansible_connection, warnings),
    warnings,
    sshName,
    sshConfig: found,
    sshArgWords: splitShellWords(sshArgText),
    unhonouredSshArgs,
  };
  if (proxyJump.length > 0) options.proxyJump = proxyJump;
  if (found.proxyCommand !== undefined)
    options.proxyCommand = proxyCommandFor(found.proxyCommand, options, sshName, found, warnings);
  return options;
}

/** CertificateFile and HostKeyAlias from the ssh config, only when set there. */
function certificateOptions(found: SshConfigHost): Pick<ConnectOptions, 'certificateFiles' | 'hostKeyAlias'> {
  return {
    ...(found.certificateFiles ? { certificateFiles: found.certificateFiles } : {}),
    ...(found.hostKeyAlias ? { hostKeyAlias: found.hostKeyAlias } : {}),
  };
}

/** `--ssh-config FILE` alone (as `ssh -F`), or ~/.ssh/config then the system-wide file. */
function sshConfigOf(settings: ResolveSettings, home: string, expandHome: (file: string) => string): SshConfig {
  if (settings.sshConfigFile !== undefined) {
    if (settings.sshConfigFile.toLowerCase() === 'none') return { lines: [] };
    return loadSshConfigFile(expandHome(settings.sshConfigFile));
  }
  const system = settings.systemSshConfigFile ?? (process.env.SLS_PLAY_SYSTEM_SSH_CONFIG || SYSTEM_SSH_CONFIG);
  return loadUserAndSystemConfig(join(home, '.ssh', 'config'), system);
}

/** ProxyCommand with ssh's tokens for this hop: %h %p %r as connected, %n the name given, %k HostKeyAlias. */
function proxyCommandFor(
  command: string,
  hop: { address: string; port: number; user: string },
  given: string,
  found: SshConfigHost,
  warnings: string[],
): string {
  return expandProxyCommand(
    command,
    {
      host: hop.address.toLowerCase(),
      port: hop.port,
      user: hop.user,
      originalHost: given,
      keyAlias: found.hostKeyAlias,
    },
    (token) => warnings.push(`ssh config ProxyCommand: token ${token} is not supported; it is left as written`),
  );
}
