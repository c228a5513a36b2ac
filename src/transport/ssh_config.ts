import SSHConfig from 'ssh-config';
import type { HostKeyChecking } from './types.ts';

/** What sls-play takes from an OpenSSH client config for one host; absent means "not set there". */
export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  /** Raw ProxyJump value; see parseProxyJump. */
  proxyJump?: string;
  hostKeyChecking?: HostKeyChecking;
  userKnownHostsFiles: string[];
  connectTimeoutMs?: number;
}

export interface ExpandContext {
  home: string;
  localUser: string;
}

export function parseSshConfig(text: string): SSHConfig {
  return SSHConfig.parse(text);
}

/** The few ssh_config(5) TOKENS that make sense here, and `~`. */
export function expandPath(value: string, context: ExpandContext & { host?: string; remoteUser?: string }): string {
  const expanded = value.replace(/%([%dhur])/g, (_, token: string) => {
    switch (token) {
      case '%':
        return '%';
      case 'd':
        return context.home;
      case 'h':
        return context.host ?? '%h';
      case 'u':
        return context.localUser;
      default:
        return context.remoteUser ?? '%r';
    }
  });
  if (expanded === '~') return context.home;
  return expanded.startsWith('~/') ? context.home + expanded.slice(1) : expanded;
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

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function all(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Settings for `host` (the name ssh would be given), first value winning as in OpenSSH.
 * `Match exec` is never run: a config must not execute commands on our behalf.
 */
export function lookupSshConfig(config: SSHConfig, host: string, context: ExpandContext): SshConfigHost {
  const computed = config.compute(host, { ignoreCase: true, matchExec: false });
  const hostName = first(computed.hostname);
  const user = first(computed.user);
  const port = first(computed.port);
  const timeout = first(computed.connecttimeout);
  const strict = first(computed.stricthostkeychecking);
  const tokens = { ...context, host: hostName ?? host, remoteUser: user };
  return {
    hostName: hostName === undefined ? undefined : hostName.replace(/%h/g, host),
    user,
    port: port !== undefined && /^\d+$/.test(port) ? Number(port) : undefined,
    identityFiles: all(computed.identityfile)
      .filter((file) => file.toLowerCase() !== 'none')
      .map((file) => expandPath(file, tokens)),
    proxyJump: first(computed.proxyjump),
    hostKeyChecking: strict === undefined ? undefined : hostKeyCheckingFrom(strict),
    userKnownHostsFiles: all(computed.userknownhostsfile)
      .flatMap((value) => value.split(/\s+/))
      .filter((file) => file !== '' && file.toLowerCase() !== 'none')
      .map((file) => expandPath(file, tokens)),
    connectTimeoutMs: timeout !== undefined && /^\d+$/.test(timeout) ? Number(timeout) * 1000 : undefined,
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
