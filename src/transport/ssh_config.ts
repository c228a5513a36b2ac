/**
 * An OpenSSH client config evaluated for one host as `ssh` evaluates it (readconf.c): blocks
 * in file order, the first value of a setting wins (IdentityFile accumulates), `Host` patterns
 * one by one (`?` is exactly one character, `a,b` a literal pattern, `!x` rules out), `Match
 * all|host|originalhost|user|localuser` (host after HostName so far), `Include` with globs,
 * relative to ~/.ssh, inside blocks, and the TOKENS in HostName, IdentityFile and
 * UserKnownHostsFile. `Match exec` is never run (a config must not execute commands on our
 * behalf): it and the other Match criteria are warned about and their blocks not applied.
 * `ssh -G` is the reference the tests compare with.
 */
import type { HostKeyChecking } from './types.ts';
import { globPaths, includePath, parseConfigLines, readConfigFile, type ConfigLine } from './ssh_config_read.ts';
import { matchHostLine, matchPatternList } from './ssh_config_match.ts';
import { expandTilde, expandTokens } from './ssh_config_tokens.ts';
import { localUserInfo } from './local_user.ts';

/** What sls-play takes from an OpenSSH client config for one host; absent means "not set there". */
export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  /** Expanded (`~`, tokens), in the order ssh tries them. */
  identityFiles: string[];
  /** Raw ProxyJump value; see parseProxyJump. */
  proxyJump?: string;
  hostKeyChecking?: HostKeyChecking;
  /** Every file of the first UserKnownHostsFile, expanded. */
  userKnownHostsFiles: string[];
  /** 0 is ssh's "no timeout" (ConnectTimeout 0). */
  connectTimeoutMs?: number;
  /** CertificateFile values, expanded, in order (they accumulate, like IdentityFile). */
  certificateFiles?: string[];
  hostKeyAlias?: string;
  /** Settings sls-play could not honour (unsupported Match criteria, unknown tokens), one sentence each. */
  warnings?: string[];
}

export interface ExpandContext {
  home: string;
  localUser: string;
  /** Values given outside the config (the inventory's ansible_user / ansible_port), which win as `ssh -l/-p` do. */
  user?: string;
  port?: number;
}

/** A config ready to evaluate: its lines, and where relative Includes are read from. */
export interface SshConfig {
  lines: ConfigLine[];
}

export function parseSshConfig(text: string, file = 'ssh config'): SshConfig {
  return { lines: parseConfigLines(text, file) };
}

export function loadSshConfigFile(file: string): SshConfig {
  return { lines: readConfigFile(file) };
}

/** The few ssh_config(5) TOKENS that make sense without a host, and `~` (kept for callers). */
export function expandPath(value: string, context: ExpandContext & { host?: string; remoteUser?: string }): string {
  const expanded = expandTokens(value, {
    home: context.home,
    localUser: context.localUser,
    host: context.host ?? '%h',
    remoteUser: context.remoteUser ?? '%r',
  });
  return expandTilde(expanded, context.home);
}

export function hostKeyCheckingFrom(value: string): HostKeyChecking | undefined {
  switch (value.toLowerCase()) {
    case 'yes':
    case 'ask': // nobody is there to answer: treat as yes, like BatchMode
      return 'strict';
    case 'accept-new':
      return 'accept-new';
    case 'no':
    case 'off':
      return 'off';
    default:
      return undefined;
  }
}

/** HostName takes only `%h` (the name given, lowercased) and `%%`. */
function expandHostName(value: string, host: string): string {
  return value.replace(/%([%h])/g, (_, token: string) => (token === '%' ? '%' : host));
}

const SINGLE = new Set([
  'hostname',
  'user',
  'port',
  'proxyjump',
  'stricthostkeychecking',
  'userknownhostsfile',
  'connecttimeout',
  'hostkeyalias',
]);
const MAX_INCLUDE_DEPTH = 16;

interface Evaluation {
  settings: Map<string, string[]>;
  identityFiles: string[];
  certificateFiles: string[];
  warnings: string[];
}

/**
 * Settings for `host` (the name ssh would be given), first value winning as in OpenSSH.
 */
export function lookupSshConfig(config: SshConfig, host: string, context: ExpandContext): SshConfigHost {
  const original = host;
  const lower = host.toLowerCase();
  const state: Evaluation = { settings: new Map(), identityFiles: [], certificateFiles: [], warnings: [] };
  const warn = (line: ConfigLine, message: string) => {
    const text = `${line.file}:${line.line}: ${message}`;
    if (!state.warnings.includes(text)) state.warnings.push(text);
  };
  const setting = (key: string) => state.settings.get(key)?.[0];
  // The host Match host compares with: HostName so far, %h expanded.
  const currentHost = () => {
    const name = setting('hostname');
    return name === undefined ? lower : expandHostName(name, lower);
  };

  const matchLine = (line: ConfigLine): boolean => {
    const args = line.args;
    if (args.length === 0) {
      warn(line, 'Match without criteria; its block is not applied');
      return false;
    }
    let result = true;
    for (let i = 0; i < args.length; i++) {
      const raw = args[i]!;
      const negated = raw.startsWith('!');
      const criterion = (negated ? raw.slice(1) : raw).toLowerCase();
      if (criterion === 'all') {
        if (args.length > 1) {
          warn(line, "'Match all' combined with other criteria is refused by ssh; its block is not applied");
          return false;
        }
        result &&= !negated;
        continue;
      }
      if (criterion === 'canonical' || criterion === 'final') {
        warn(
          line,
          `Match ${criterion} is not supported (sls-play does not canonicalise host names); its block is not applied`,
        );
        return false;
      }
      const value = args[++i];
      if (value === undefined) {
        warn(line, `Match ${criterion} needs an argument; its block is not applied`);
        return false;
      }
      let matched: boolean;
      switch (criterion) {
        case 'host':
          matched = matchPatternList(currentHost(), value);
          break;
        case 'originalhost':
          matched = matchPatternList(lower, value);
          break;
        case 'user':
          matched = matchPatternList(context.user ?? setting('user') ?? context.localUser, value);
          break;
        case 'localuser':
          matched = matchPatternList(context.localUser, value);
          break;
        default:
          warn(
            line,
            `Match ${criterion} is not supported${criterion === 'exec' ? ' (sls-play never runs commands from an ssh config)' : ''}; its block is not applied`,
          );
          return false;
      }
      result &&= negated ? !matched : matched;
    }
    return result;
  };

  const evaluate = (lines: readonly ConfigLine[], startActive: boolean, neverMatch: boolean, depth: number): void => {
    let active = startActive;
    for (const line of lines) {
      switch (line.keyword) {
        case 'host':
          active = !neverMatch && matchHostLine(original, line.args);
          continue;
        case 'match':
          active = !neverMatch && matchLine(line);
          continue;
        case 'include': {
          if (depth >= MAX_INCLUDE_DEPTH) {
            warn(line, `Include nested deeper than ${MAX_INCLUDE_DEPTH}; not read`);
            continue;
          }
          const outer = active;
          for (const arg of line.args) {
            for (const file of globPaths(includePath(arg, context.home))) {
              // an Include in a block that does not apply reads the file with nothing matching
              evaluate(readConfigFile(file), outer, neverMatch || !outer, depth + 1);
            }
          }
          active = outer;
          continue;
        }
      }
      if (!active) continue;
      if (line.keyword === 'identityfile') {
        if (line.args[0] !== undefined) state.identityFiles.push(line.args[0]);
      } else if (line.keyword === 'certificatefile') {
        if (line.args[0] !== undefined) state.certificateFiles.push(line.args[0]);
      } else if (SINGLE.has(line.keyword) && !state.settings.has(line.keyword) && line.args.length > 0) {
        state.settings.set(line.keyword, line.args);
      }
    }
  };
  evaluate(config.lines, true, false, 0);

  const hostNameRaw = setting('hostname');
  const hostName = hostNameRaw === undefined ? undefined : expandHostName(hostNameRaw, lower);
  const user = setting('user');
  const portRaw = setting('port');
  const port = portRaw !== undefined && /^\d+$/.test(portRaw) ? Number(portRaw) : undefined;
  const timeout = setting('connecttimeout');
  const strict = setting('stricthostkeychecking');
  const tokenWarn = (what: string) => (token: string) => {
    const text = `${what}: token ${token} is not supported; it is left as written`;
    if (!state.warnings.includes(text)) state.warnings.push(text);
  };
  let uid: number | undefined;
  try {
    uid = localUserInfo().uid;
  } catch {
    uid = undefined;
  }
  const tokens = {
    home: context.home,
    localUser: context.localUser,
    host: hostName ?? lower,
    originalHost: original,
    port: context.port ?? port ?? 22,
    remoteUser: context.user ?? user ?? context.localUser,
    uid,
  };
  const path = (value: string, what: string) => expandTilde(expandTokens(value, tokens, tokenWarn(what)), context.home);
  return {
    hostName,
    user,
    port,
    identityFiles: state.identityFiles
      .filter((file) => file.toLowerCase() !== 'none')
      .map((file) => path(file, 'IdentityFile')),
    ...certificateSettings(state.certificateFiles, setting('hostkeyalias'), (file) => path(file, 'CertificateFile')),
    proxyJump: setting('proxyjump'),
    hostKeyChecking: strict === undefined ? undefined : hostKeyCheckingFrom(strict),
    userKnownHostsFiles: (state.settings.get('userknownhostsfile') ?? [])
      .filter((file) => file !== '' && file.toLowerCase() !== 'none')
      .map((file) => path(file, 'UserKnownHostsFile')),
    connectTimeoutMs: timeout !== undefined && /^\d+$/.test(timeout) ? Number(timeout) * 1000 : undefined,
    ...(state.warnings.length ? { warnings: state.warnings } : {}),
  };
}

export interface JumpHop {
  user?: string;
  host: string;
  port?: number;
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated, outermost first; `none` is no jump. */
export function parseProxyJump(value: string): JumpHop[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '')
    .map((hop) => {
      let rest = hop.replace(/^ssh:\/\//, '');
      let user: string | undefined;
      const at = rest.lastIndexOf('@');
      if (at !== -1) {
        user = rest.slice(0, at);
        rest = rest.slice(at + 1);
      }
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
      if (bracketed) return { user, host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : undefined };
      const withPort = /^([^:]+):(\d+)$/.exec(rest);
      if (withPort) return { user, host: withPort[1]!, port: Number(withPort[2]) };
      return { user, host: rest };
    });
}

/** CertificateFile (tokens expanded, `none` dropped) and HostKeyAlias, present only when set. */
function certificateSettings(
  files: string[],
  alias: string | undefined,
  expand: (file: string) => string,
): Pick<SshConfigHost, 'certificateFiles' | 'hostKeyAlias'> {
  const certificateFiles = files.filter((file) => file.toLowerCase() !== 'none').map(expand);
  return {
    ...(certificateFiles.length ? { certificateFiles } : {}),
    ...(alias !== undefined ? { hostKeyAlias: alias } : {}),
  };
}
