/**
 * Host names as Ansible's inventory plugins read them: an optional `:port` suffix and
 * `[a:b(:step)]` ranges (`web[01:20].example.com`, `db-[a:c]`), expanded in Ansible's order.
 */

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv6Part = `(?:[0-9a-f]{1,4}|${hexRange})`;
const ipv4Part = `(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
const label = `(?:[\\p{L}\\p{N}_]|${alnumRange})(?:[\\p{L}\\p{N}_-]|${alnumRange})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
export const IPV4 = new RegExp(`^(?:${ipv4Part}\\.){3}${ipv4Part}$`, 'i');
const v6 = ipv6Part;
const v4in6 = `(?:${v6}\\.){3}${v6}`;
export const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${v6}:){7}${v6}`,
      `(?:${v6}:){1,6}:`,
      `(?:${v6}:)(?::${v6}){1,6}`,
      `(?:${v6}:){2}(?::${v6}){1,5}`,
      `(?:${v6}:){3}(?::${v6}){1,4}`,
      `(?:${v6}:){4}(?::${v6}){1,3}`,
      `(?:${v6}:){5}(?::${v6}){1,2}`,
      `(?:${v6}:){6}(?::${v6})`,
      `:(?::${v6}){1,6}`,
      `${v6}?::`,
      `(?:0:){6}${v4in6}`,
      `::(?:ffff:)?${v4in6}`,
      `(?:0:){5}ffff:${v4in6}`,
    ].join('|') +
    ')$',
  'iu',
);
const HOSTNAME = new RegExp(`^${label}(?:\\.${label})*$`, 'iu');

/** Ansible's parse_address: the host (ranges kept) and port, or undefined if it is no address. */
export function parseAddress(address: string): { host: string; port?: number } | undefined {
  let host = address;
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(host);
    if (m) {
      host = m[1];
      port = Number(m[2]);
    }
  }
  if (IPV4.test(host) || IPV6.test(host) || HOSTNAME.test(host)) return { host, port };
  return undefined;
}

/** A problem with a range, reported by the caller with its file and line. */
export class HostRangeError extends Error {}

/** Expands an inventory host key into its host names and the port it gives them. */
export function expandHostPattern(pattern: string): { hosts: string[]; port?: number } {
  const parsed = parseAddress(pattern);
  const base = parsed ? parsed.host : pattern;
  const hosts = base.includes('[') ? expandRange(base) : [base];
  return { hosts, port: parsed?.port };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function expandRange(line: string): string[] {
  const open = line.indexOf('[');
  const close = line.indexOf(']', open);
  if (close < 0) throw new HostRangeError(`host range in '${line}' has no closing ']'`);
  const head = line.slice(0, open);
  const tail = line.slice(close + 1);
  const bounds = line.slice(open + 1, close).split(':');
  if (bounds.length !== 2 && bounds.length !== 3) {
    throw new HostRangeError(`host range in '${line}' must be [begin:end] or [begin:end:step]`);
  }
  const beg = bounds[0] || '0';
  const end = bounds[1];
  const step = bounds.length === 3 ? Number(bounds[2]) : 1;
  if (!end) throw new HostRangeError(`host range in '${line}' must give an end value`);
  if (!Number.isInteger(step) || step < 1)
    throw new HostRangeError(`host range step in '${line}' must be a positive whole number`);
  let width = 0;
  if (beg[0] === '0' && beg.length > 1) {
    width = beg.length;
    if (end.length !== width) {
      throw new HostRangeError(
        `host range in '${line}' must give begin and end with the same number of digits (e.g. [01:20])`,
      );
    }
  }
  let seq: string[];
  const ib = beg.length === 1 ? LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw new HostRangeError(`host range in '${line}' must have begin <= end`);
    seq = [];
    for (let i = ib; i <= ie; i += step) seq.push(LETTERS[i]);
  } else {
    if (!/^[0-9]+$/.test(beg) || !/^[0-9]+$/.test(end)) {
      throw new HostRangeError(`host range in '${line}' must be numbers ([1:20]) or single letters ([a:f])`);
    }
    const b = Number(beg);
    const e = Number(end);
    // Ansible silently yields no host for a reversed range; that is always a typo, so say so.
    if (b > e) throw new HostRangeError(`host range in '${line}' must have begin <= end`);
    seq = [];
    for (let i = b; i <= e; i += step) seq.push(width ? String(i).padStart(width, '0') : String(i));
  }
  return seq.flatMap((part) => {
    const name = head + part + tail;
    return name.includes('[') ? expandRange(name) : [name];
  });
}
