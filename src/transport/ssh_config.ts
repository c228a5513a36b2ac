/**
 * An OpenSSH client config evaluated for one host as `ssh` evaluates it (readconf.c): blocks
 * in file order, the first value of a setting wins (IdentityFile accumulates), `Host` patterns
 * one by one (`?` is exactly one character, `a,b` a literal pattern, `!x` rules out), `Match
 * all|host|originalhost|user|localuser|exec` (host after HostName so far; exec run through the
 * user's shell, only when the line's earlier criteria held), `Include` with globs, relative to
 * ~/.ssh (or /etc/ssh in the system file), inside blocks, and the TOKENS in HostName,
 * IdentityFile and UserKnownHostsFile. The user's file comes first, then the system-wide one.
 * ProxyCommand and ProxyJump: whichever is set first wins. Other Match criteria are warned about
 * and their blocks not applied. `ssh -G` is the reference the tests compare with.
 */
import { dirname } from 'node:path';
import type { HostKeyChecking } from './types.ts';
import { globPaths, includePath, parseConfigLines, readConfigFile, type ConfigLine } from './ssh_config_read.ts';
import { matchHostLine } from './ssh_config_match.ts';
import { matchCriteria } from './ssh_config_criteria.ts';
import { runMatchExec } from './ssh_config_exec.ts';
import { expandTilde, expandTokens, type TokenValues } from './ssh_config_tokens.ts';
import { localUserInfo } from './local_user.ts';

/** What sls-play takes from an OpenSSH client config for one host; absent means "not set there". */
export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  /** Expanded (`~`, tokens), in the order ssh tries them. */
  identityFiles: string[];
  /** Raw ProxyJump value; see parseProxyJump. Never set together with proxyCommand. */
  proxyJump?: string;
  /** ProxyCommand as written (tokens not expanded yet); absent for `none`. */
  proxyCommand?: string;
  hostKeyAlias?: string;
  hostKeyChecking?: HostKeyChecking;
  /** Every file of the first UserKnownHostsFile, expanded. */
  userKnownHostsFiles: string[];
  /** 0 is ssh's "no timeout" (ConnectTimeout 0). */
  connectTimeoutMs?: number;
  /** Settings sls-play could not honour (unsupported Match criteria, unknown tokens), one sentence each. */
  warnings?: string[];
}

export interface ExpandContext {
  home: string;
  localUser: string;
  /** Values given outside the config (the inventory's ansible_user / ansible_port), which win as `ssh -l/-p` do. */
  user?: string;
  port?: number;
  /**
   * `-o Keyword=value` options (ansible_ssh_common_args), in the order given: read before the
   * config files, as ssh reads its command line. Only ProxyCommand and ProxyJump are taken here.
   */
  commandLine?: Array<[keyword: string, value: string]>;
  /** Runs a `Match exec` command; default the user's shell. For tests. */
  runExec?: typeof runMatchExec;
}

/** A config ready to evaluate: the user's lines, then the system-wide file's (read from its own directory). */
export interface SshConfig {
  lines: ConfigLine[];
  system?: { lines: ConfigLine[]; dir: string };
}

export function parseSshConfig(text: string, file = 'ssh config'): SshConfig {
  return { lines: parseConfigLines(text, file) };
}

export function loadSshConfigFile(file: string): SshConfig {
  return { lines: readConfigFile(file) };
}

/** What ssh reads without -F: the user's file, then the system-wide one (a missing file is empty). */
export function loadUserAndSystemConfig(userFile: string, systemFile: string): SshConfig {
  return { lines: readConfigFile(userFile), system: { lines: readConfigFile(systemFile), dir: dirname(systemFile) } };
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
  'stricthostkeychecking',
  'userknownhostsfile',
  'connecttimeout',
  'hostkeyalias',
]);
const MAX_INCLUDE_DEPTH = 16;

/** The settings read so far, first value winning. */
class Evaluation {
  readonly settings = new Map<string, string[]>();
  readonly identityFiles: string[] = [];
  readonly warnings: string[] = [];

  get(key: string): string | undefined {
    return this.settings.get(key)?.[0];
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** One active line. ProxyJump sets ProxyCommand to none and the other way round (readconf.c parse_jump). */
  apply(line: ConfigLine): void {
    const { keyword, args } = line;
    if (keyword === 'identityfile') {
      if (args[0] !== undefined) this.identityFiles.push(args[0]);
    } else if (keyword === 'proxycommand') {
      const command = line.raw.trim();
      if (!this.settings.has('proxycommand') && command !== '') this.settings.set('proxycommand', [command]);
    } else if (keyword === 'proxyjump') {
      const value = args[0];
      if (value === undefined) return;
      if (value.toLowerCase() === 'none') {
        if (!this.settings.has('proxyjump')) this.settings.set('proxyjump', ['none']);
      } else if (!this.settings.has('proxyjump') && !this.settings.has('proxycommand')) {
        this.settings.set('proxyjump', [value]);
        this.settings.set('proxycommand', ['none']);
      }
    } else if (SINGLE.has(keyword) && !this.settings.has(keyword) && args.length > 0) {
      this.settings.set(keyword, args);
    }
  }
}

function currentUid(): number | undefined {
  try {
    return localUserInfo().uid;
  } catch {
    return undefined;
  }
}

/** The jump host ssh's %j names: the last hop of ProxyJump, '' without one. */
function jumpHostOf(value: string | undefined): string {
  if (value === undefined || value.toLowerCase() === 'none') return '';
  return parseProxyJump(value).at(-1)?.host ?? '';
}

/**
 * Settings for `host` (the name ssh would be given), first value winning as in OpenSSH.
 */
export function lookupSshConfig(config: SshConfig, host: string, context: ExpandContext): SshConfigHost {
  const original = host;
  const lower = host.toLowerCase();
  const state = new Evaluation();
  const uid = currentUid();
  const located = (line: ConfigLine, message: string) => state.warn(`${line.file}:${line.line}: ${message}`);
  // Match host compares with HostName so far (%h expanded); exec's %h keeps the name's case
  const hostSoFar = (name: string) => {
    const hostName = state.get('hostname');
    return hostName === undefined ? name : expandHostName(hostName, name);
  };
  const tokensSoFar = (): TokenValues => {
    const current = hostSoFar(original);
    const port = state.get('port');
    return {
      home: context.home,
      localUser: context.localUser,
      host: current,
      originalHost: original,
      port: context.port ?? (port !== undefined && /^\d+$/.test(port) ? Number(port) : 22),
      remoteUser: context.user ?? state.get('user') ?? context.localUser,
      uid,
      keyAlias: state.get('hostkeyalias') ?? current,
      jumpHost: jumpHostOf(state.get('proxyjump')),
    };
  };
  const matchLine = (line: ConfigLine): boolean =>
    matchCriteria(line.args, {
      host: hostSoFar(lower),
      originalHost: lower,
      remoteUser: context.user ?? state.get('user') ?? context.localUser,
      localUser: context.localUser,
      expandExec: (command) => {
        let unknown: string | undefined;
        const expanded = expandTokens(command, tokensSoFar(), (token) => (unknown ??= token));
        if (unknown === undefined) return expanded;
        located(line, `Match exec: token ${unknown} is not supported; its block is not applied`);
        return undefined;
      },
      runExec: context.runExec ?? runMatchExec,
      refuse: (message) => {
        located(line, message);
        return false;
      },
    });

  const evaluate = (
    lines: readonly ConfigLine[],
    startActive: boolean,
    neverMatch: boolean,
    depth: number,
    systemDir?: string,
  ): void => {
    let active = startActive;
    for (const line of lines) {
      switch (line.keyword) {
        case 'host':
          active = !neverMatch && matchHostLine(original, line.args);
          continue;
        case 'match':
          // a Match in a file included by a block that does not apply runs no command
          active = !neverMatch && matchLine(line);
          continue;
        case 'include': {
          if (depth >= MAX_INCLUDE_DEPTH) {
            located(line, `Include nested deeper than ${MAX_INCLUDE_DEPTH}; not read`);
            continue;
          }
          const outer = active;
          for (const arg of line.args) {
            for (const file of globPaths(includePath(arg, context.home, systemDir))) {
              // an Include in a block that does not apply reads the file with nothing matching
              evaluate(readConfigFile(file), outer, neverMatch || !outer, depth + 1, systemDir);
            }
          }
          active = outer;
          continue;
        }
      }
      if (active) state.apply(line);
    }
  };
  for (const [keyword, value] of context.commandLine ?? []) {
    const lowered = keyword.toLowerCase();
    if (lowered === 'proxycommand' || lowered === 'proxyjump')
      state.apply({ keyword: lowered, args: [value], raw: value, file: 'command line', line: 0 });
  }
  evaluate(config.lines, true, false, 0);
  if (config.system) evaluate(config.system.lines, true, false, 0, config.system.dir);
  return result(state, original, lower, context, uid);
}

function result(
  state: Evaluation,
  original: string,
  lower: string,
  context: ExpandContext,
  uid: number | undefined,
): SshConfigHost {
  const setting = (key: string) => state.get(key);
  const hostNameRaw = setting('hostname');
  const hostName = hostNameRaw === undefined ? undefined : expandHostName(hostNameRaw, lower);
  const user = setting('user');
  const portRaw = setting('port');
  const port = portRaw !== undefined && /^\d+$/.test(portRaw) ? Number(portRaw) : undefined;
  const timeout = setting('connecttimeout');
  const strict = setting('stricthostkeychecking');
  const proxyJump = setting('proxyjump');
  const proxyCommand = setting('proxycommand');
  const hostKeyAlias = setting('hostkeyalias');
  const tokenWarn = (what: string) => (token: string) =>
    state.warn(`${what}: token ${token} is not supported; it is left as written`);
  const tokens: TokenValues = {
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
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? undefined : proxyJump,
    ...(proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none' ? { proxyCommand } : {}),
    ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
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
