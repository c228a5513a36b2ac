/** ssh_config(5) TOKENS: `%%`, `%C`, `%d`, `%h`, `%i`, `%j`, `%k`, `%l`, `%L`, `%n`, `%p`, `%r`, `%u`, and `~`. */
import { createHash } from 'node:crypto';
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
  /** HostKeyAlias, else the name as given (ssh's %k). */
  keyAlias?: string;
  /** The ProxyJump host nearest the target, '' without one (ssh's %j). */
  jumpHost?: string;
}

/** ssh's %C: a SHA-1 of the local host name, host, port, user and jump host (readconf.c ssh_connection_hash). */
function connectionHash(local: string, values: TokenValues): string | undefined {
  if (values.host === undefined || values.port === undefined || values.remoteUser === undefined) return undefined;
  return createHash('sha1')
    .update(`${local}${values.host}${values.port}${values.remoteUser}${values.jumpHost ?? ''}`)
    .digest('hex');
}

/**
 * Expands the tokens ssh knows (or only those in `only`, as where ssh accepts fewer); an unknown
 * one is left as written and reported to `unknown`.
 */
export function expandTokens(
  value: string,
  values: TokenValues,
  unknown?: (token: string) => void,
  only?: string,
): string {
  const local = hostname();
  return value.replace(/%(.)/g, (whole, token: string) => {
    if (only !== undefined && token !== '%' && !only.includes(token)) {
      unknown?.(whole);
      return whole;
    }
    const map: Record<string, string | undefined> = {
      '%': '%',
      C: token === 'C' ? connectionHash(local, values) : undefined,
      d: values.home,
      h: values.host,
      i: values.uid === undefined ? undefined : String(values.uid),
      j: values.jumpHost,
      k: values.keyAlias,
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
