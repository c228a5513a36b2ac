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
import { parseConfigLines, readConfigFile } from './ssh_config_read.ts';
import {
  currentUid,
  expandHostName,
  walkConfig,
  type Evaluation,
  type ExpandContext,
  type SshConfig,
} from './ssh_config_walk.ts';
import { expandTilde, expandTokens, type TokenValues } from './ssh_config_tokens.ts';

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
  /** CertificateFile values, expanded (`~`, tokens), in order; absent when none is set. */
  certificateFiles?: string[];
  hostKeyChecking?: HostKeyChecking;
  /** Every file of the first UserKnownHostsFile, expanded. */
  userKnownHostsFiles: string[];
  /** 0 is ssh's "no timeout" (ConnectTimeout 0). */
  connectTimeoutMs?: number;
  /** Settings sls-play could not honour (unsupported Match criteria, unknown tokens), one sentence each. */
  warnings?: string[];
  /** The first value of every keyword that applies (lowercased keyword, arguments as written): what the client choice reads. */
  keywords: Record<string, string>;
  /** The file each keyword's value came from. */
  keywordFiles?: Record<string, string>;
  /** Match lines reached with criteria sls-play cannot evaluate (`canonical`, `tagged`…), as `file:line Match …`. */
  unevaluatedMatches: string[];
}

export type { ExpandContext, SshConfig } from './ssh_config_walk.ts';

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

/**
 * Settings for `host` (the name ssh would be given), first value winning as in OpenSSH.
 */
export function lookupSshConfig(config: SshConfig, host: string, context: ExpandContext): SshConfigHost {
  return result(walkConfig(config, host, context), host, host.toLowerCase(), context, currentUid());
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
    ...certificateFilesOf(state.certificateFiles, (file) => path(file, 'CertificateFile')),
    hostKeyChecking: strict === undefined ? undefined : hostKeyCheckingFrom(strict),
    userKnownHostsFiles: (state.settings.get('userknownhostsfile') ?? [])
      .filter((file) => file !== '' && file.toLowerCase() !== 'none')
      .map((file) => path(file, 'UserKnownHostsFile')),
    connectTimeoutMs: timeout !== undefined && /^\d+$/.test(timeout) ? Number(timeout) * 1000 : undefined,
    ...(state.warnings.length ? { warnings: state.warnings } : {}),
    keywords: state.keywords,
    keywordFiles: state.keywordFiles,
    unevaluatedMatches: state.unevaluatedMatches,
  };
}

export { parseProxyJump, type JumpHop } from './ssh_config_jump.ts';

/** CertificateFile, tokens expanded and `none` dropped, only when set. */
function certificateFilesOf(
  files: string[],
  expand: (file: string) => string,
): Pick<SshConfigHost, 'certificateFiles'> {
  const certificateFiles = files.filter((file) => file.toLowerCase() !== 'none').map(expand);
  return certificateFiles.length ? { certificateFiles } : {};
}
