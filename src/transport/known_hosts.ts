import { createHmac } from 'node:crypto';

/**
 * A pure reader of OpenSSH known_hosts text (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): no file
 * access here, so every rule can be unit-tested and the file layer stays thin.
 */

export type KnownHostMarker = 'revoked' | 'cert-authority';

export interface KnownHostEntry {
  /** 1-based line number in its file. */
  line: number;
  /** The file it was read from, when several are checked. */
  file?: string;
  marker?: KnownHostMarker;
  /** Host patterns as written: names, wildcards, `!negations`, `[host]:port`, or one `|1|salt|hash`. */
  patterns: string[];
  keyType: string;
  /** Base64 of the public key blob, as stored. */
  key: string;
}

export type HostKeyMatch =
  | { status: 'match'; line: number }
  | { status: 'mismatch'; line: number; file?: string; revoked: boolean; storedKeyType: string }
  | { status: 'unknown'; otherKeyTypes: string[] };

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostMarker | undefined;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields.shift() === '@revoked' ? 'revoked' : 'cert-authority';
    } else if (fields[0]?.startsWith('@')) {
      return; // an unknown marker: OpenSSH skips the line, so do we
    }
    const [hosts, keyType, key] = fields;
    if (hosts === undefined || keyType === undefined || key === undefined) return;
    entries.push({ line: index + 1, marker, patterns: hosts.split(','), keyType, key });
  });
  return entries;
}

/** The name OpenSSH stores and looks up: bare host on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** `|1|salt|hash` as `ssh-keygen -H` writes it: HMAC-SHA1 of the name keyed with the salt. */
export function hashKnownHostsName(name: string, salt: Buffer): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

function matchesHashed(pattern: string, name: string): boolean {
  const parts = pattern.split('|');
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2] ?? '', 'base64');
  return hashKnownHostsName(name, salt) === pattern;
}

// A fleet's known_hosts has a line per host and every host is looked up in it: compile each
// pattern once, not once per lookup.
const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (re === undefined) {
    const body = glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 'i');
    compiled.set(glob, re);
  }
  return re;
}

/** A line applies when some positive pattern matches the name and no `!pattern` does. */
export function patternsMatch(patterns: string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('|')) {
      if (matchesHashed(pattern, name)) matched = true;
      continue;
    }
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (globToRegExp(glob).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** Plain names only: no wildcard, negation or hash, so the line applies to exactly these names. */
const isPlainName = (pattern: string) => !/[*?!|]/.test(pattern);

interface KnownHostsIndex {
  /** lines naming hosts only by plain names, by lower-cased name */
  byName: Map<string, KnownHostEntry[]>;
  /** lines with a wildcard, negation or hashed name: tried against every name */
  others: KnownHostEntry[];
  revoked: KnownHostEntry[];
  position: Map<KnownHostEntry, number>;
}

const indexes = new WeakMap<readonly KnownHostEntry[], KnownHostsIndex>();

function indexOf(entries: readonly KnownHostEntry[]): KnownHostsIndex {
  let index = indexes.get(entries);
  if (index) return index;
  index = { byName: new Map(), others: [], revoked: [], position: new Map() };
  for (const [i, entry] of entries.entries()) {
    index.position.set(entry, i);
    if (entry.marker === 'revoked') index.revoked.push(entry);
    if (!entry.patterns.every(isPlainName)) {
      index.others.push(entry);
      continue;
    }
    for (const name of new Set(entry.patterns.map((p) => p.toLowerCase()))) {
      const list = index.byName.get(name);
      if (list) list.push(entry);
      else index.byName.set(name, [entry]);
    }
  }
  indexes.set(entries, index);
  return index;
}

/**
 * The lines that apply to `name`, in file order. The same entries array (known_hosts_file.ts
 * hands out one per unchanged file) is indexed once, so a lookup costs a map hit plus the
 * wildcard and hashed lines rather than a pass over every line.
 */
export function entriesFor(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  const index = indexOf(entries);
  const named = index.byName.get(name.toLowerCase()) ?? [];
  const matched = index.others.filter((e) => patternsMatch(e.patterns, name));
  if (matched.length === 0) return named;
  return [...named, ...matched].sort((a, b) => index.position.get(a)! - index.position.get(b)!);
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return '';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/**
 * Judge a presented key against known_hosts entries, as OpenSSH does: a revoked key always
 * fails; an identical stored key matches; a different key of the same type is a changed key;
 * keys of other types only make the host "unknown" for this key type.
 */
export function matchHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  presented: Buffer,
): HostKeyMatch {
  const name = knownHostsName(host, port);
  const presentedType = keyTypeOfBlob(presented);
  const presentedBase64 = presented.toString('base64');
  const applicable = entriesFor(entries, name).filter((e) => e.marker !== 'cert-authority');

  const revoked = indexOf(entries).revoked.find((e) => e.key === presentedBase64);
  if (revoked)
    return {
      status: 'mismatch',
      line: revoked.line,
      ...(revoked.file ? { file: revoked.file } : {}),
      revoked: true,
      storedKeyType: revoked.keyType,
    };

  const plain = applicable.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key === presentedBase64);
  if (same) return { status: 'match', line: same.line };
  const sameType = plain.find((e) => e.keyType === presentedType);
  if (sameType)
    return {
      status: 'mismatch',
      line: sameType.line,
      ...(sameType.file ? { file: sameType.file } : {}),
      revoked: false,
      storedKeyType: sameType.keyType,
    };
  return { status: 'unknown', otherKeyTypes: [...new Set(plain.map((e) => e.keyType))] };
}

/** Key types stored for a host, so the handshake can ask for those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  return [
    ...new Set(
      entriesFor(entries, name)
        .filter((e) => e.marker === undefined)
        .map((e) => e.keyType),
    ),
  ];
}

/** One known_hosts line for a newly accepted key (plain, not hashed). */
export function formatKnownHostsLine(host: string, port: number, blob: Buffer): string {
  return `${knownHostsName(host, port)} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}\n`;
}
