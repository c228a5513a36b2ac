/**
 * One pass over an ssh config for one host, as readconf.c reads it: the command line's options
 * first, then the user's file, then the system-wide one, each file starting with every line
 * applying; `Host`, `Match` and `Include` decide which lines apply, the first value wins.
 */
import { globPaths, includePath, readConfigFile, type ConfigLine } from './ssh_config_read.ts';
import { matchHostLine } from './ssh_config_match.ts';
import { matchCriteria } from './ssh_config_criteria.ts';
import { runMatchExec } from './ssh_config_exec.ts';
import { parseProxyJump } from './ssh_config_jump.ts';
import { expandTokens, type TokenValues } from './ssh_config_tokens.ts';
import { localUserInfo } from './local_user.ts';

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
}

/** A config ready to evaluate: the user's lines, then the system-wide file's (read from its own directory). */
export interface SshConfig {
  lines: ConfigLine[];
  system?: { lines: ConfigLine[]; dir: string };
}

/** HostName takes only `%h` (the name given, lowercased) and `%%`. */
export function expandHostName(value: string, host: string): string {
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

export function currentUid(): number | undefined {
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

/** The settings read so far, first value winning. */
export class Evaluation {
  readonly settings = new Map<string, string[]>();
  readonly identityFiles: string[] = [];
  /** CertificateFile values, in order: they accumulate, like IdentityFile. */
  readonly certificateFiles: string[] = [];
  readonly warnings: string[] = [];
  /** The first value of every keyword that applies (arguments as written): what the client choice reads. */
  readonly keywords: Record<string, string> = {};
  /** The file each of those first values came from. */
  readonly keywordFiles: Record<string, string> = {};
  /** Match lines reached with criteria sls-play cannot evaluate (`canonical`, `tagged`…), as `file:line Match …`. */
  readonly unevaluatedMatches: string[] = [];

  get(key: string): string | undefined {
    return this.settings.get(key)?.[0];
  }

  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** One active line. ProxyJump sets ProxyCommand to none and the other way round (readconf.c parse_jump). */
  apply(line: ConfigLine): void {
    const { keyword, args } = line;
    if (!Object.hasOwn(this.keywords, keyword)) {
      this.keywords[keyword] = args.join(' ');
      this.keywordFiles[keyword] = line.file;
    }
    if (keyword === 'identityfile') {
      if (args[0] !== undefined) this.identityFiles.push(args[0]);
    } else if (keyword === 'certificatefile') {
      if (args[0] !== undefined) this.certificateFiles.push(args[0]);
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

/** Reads `config` for the name `original` (as given to ssh) into a new Evaluation. */
export function walkConfig(config: SshConfig, original: string, context: ExpandContext): Evaluation {
  const walk = new Walk(original, context);
  for (const [keyword, value] of context.commandLine ?? []) {
    const lowered = keyword.toLowerCase();
    if (lowered === 'proxycommand' || lowered === 'proxyjump')
      walk.state.apply({ keyword: lowered, args: [value], raw: value, file: 'command line', line: 0 });
  }
  walk.file(config.lines, true, false, 0);
  if (config.system) walk.file(config.system.lines, true, false, 0, config.system.dir);
  return walk.state;
}

class Walk {
  readonly state = new Evaluation();
  private readonly lower: string;
  private readonly uid = currentUid();

  constructor(
    private readonly original: string,
    private readonly context: ExpandContext,
  ) {
    this.lower = original.toLowerCase();
  }

  private located(line: ConfigLine, message: string): void {
    this.state.warn(`${line.file}:${line.line}: ${message}`);
  }

  /** Match host compares with HostName so far (%h expanded); exec's %h keeps the name's case. */
  private hostSoFar(name: string): string {
    const hostName = this.state.get('hostname');
    return hostName === undefined ? name : expandHostName(hostName, name);
  }

  private remoteUserSoFar(): string {
    return this.context.user ?? this.state.get('user') ?? this.context.localUser;
  }

  /** The tokens of a Match exec command: the config read so far (readconf.c expand_match_exec_or_include_path). */
  private tokensSoFar(): TokenValues {
    const current = this.hostSoFar(this.original);
    const port = this.state.get('port');
    return {
      home: this.context.home,
      localUser: this.context.localUser,
      host: current,
      originalHost: this.original,
      port: this.context.port ?? (port !== undefined && /^\d+$/.test(port) ? Number(port) : 22),
      remoteUser: this.remoteUserSoFar(),
      uid: this.uid,
      keyAlias: this.state.get('hostkeyalias') ?? current,
      jumpHost: jumpHostOf(this.state.get('proxyjump')),
    };
  }

  private matchLine(line: ConfigLine): boolean {
    return matchCriteria(line.args, {
      host: this.hostSoFar(this.lower),
      originalHost: this.lower,
      remoteUser: this.remoteUserSoFar(),
      localUser: this.context.localUser,
      expandExec: (command) => {
        let unknown: string | undefined;
        const expanded = expandTokens(command, this.tokensSoFar(), (token) => (unknown ??= token));
        if (unknown === undefined) return expanded;
        this.located(line, `Match exec: token ${unknown} is not supported; its block is not applied`);
        return undefined;
      },
      runExec: runMatchExec,
      refuse: (message) => {
        this.located(line, message);
        // ssh itself could evaluate it: a reason for the OpenSSH client
        if (/ is not supported/.test(message)) {
          this.state.unevaluatedMatches.push(`${line.file}:${line.line} Match ${line.args.join(' ')}`);
        }
        return false;
      },
    });
  }

  /** One file's lines; `neverMatch`: included from a block that does not apply, so nothing in it does. */
  file(
    lines: readonly ConfigLine[],
    startActive: boolean,
    neverMatch: boolean,
    depth: number,
    systemDir?: string,
  ): void {
    let active = startActive;
    for (const line of lines) {
      switch (line.keyword) {
        case 'host':
          active = !neverMatch && matchHostLine(this.original, line.args);
          continue;
        case 'match':
          // a Match in a file included by a block that does not apply runs no command
          active = !neverMatch && this.matchLine(line);
          continue;
        case 'include':
          this.include(line, active, neverMatch, depth, systemDir);
          continue;
      }
      if (active) this.state.apply(line);
    }
  }

  /** An Include in a block that does not apply reads its files with nothing matching. */
  private include(line: ConfigLine, active: boolean, neverMatch: boolean, depth: number, systemDir?: string): void {
    if (depth >= MAX_INCLUDE_DEPTH) {
      this.located(line, `Include nested deeper than ${MAX_INCLUDE_DEPTH}; not read`);
      return;
    }
    for (const arg of line.args) {
      for (const file of globPaths(includePath(arg, this.context.home, systemDir))) {
        this.file(readConfigFile(file), active, neverMatch || !active, depth + 1, systemDir);
      }
    }
  }
}
