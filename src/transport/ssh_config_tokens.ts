/** ssh_config(5) TOKENS: `%%`, `%d`, `%h`, `%i`, `%l`, `%L`, `%n`, `%p`, `%r`, `%u`, and `~`. */
import { hostname } from 'node:os';

export interface TokenValues {
  home: string;
  localUser: string;
  /** The remote host name, after HostName. */
  host?: string;
  /** The name as given (ssh's %n). */
  originalHost?: string;
  port?: number;
  remoteUser?: string;
  uid?: number;
}

/** Expands the tokens ssh knows; an unknown one is left as written (and reported by the caller). */
export function expandTokens(value: string, values: TokenValues, unknown?: (token: string) => void): string {
  const local = hostname();
  return value.replace(/%(.)/g, (whole, token: string) => {
    const map: Record<string, string | undefined> = {
      '%': '%',
      d: values.home,
      h: values.host,
      i: values.uid === undefined ? undefined : String(values.uid),
      l: local,
      L: local.split('.')[0],
      n: values.originalHost,
      p: values.port === undefined ? undefined : String(values.port),
      r: values.remoteUser,
      u: values.localUser,
    };
    const out = map[token];
    if (out === undefined) {
      unknown?.(whole);
      return whole;
    }
    return out;
  });
}

export function expandTilde(value: string, home: string): string {
  if (value === '~') return home;
  return value.startsWith('~/') ? home + value.slice(1) : value;
}
