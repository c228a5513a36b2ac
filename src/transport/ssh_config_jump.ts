/** ProxyJump values: `[user@]host[:port]` or `ssh://[user@]host[:port]`, comma-separated. */

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
