import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileStamp } from './file_stamp.ts';
import {
  formatKnownHostsLine,
  matchHostKey,
  parseKnownHosts,
  type HostKeyMatch,
  type KnownHostEntry,
} from './known_hosts.ts';

/** A missing known_hosts file is an empty one: every host is then unknown. */
export async function readKnownHosts(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

// Every host of a run looks in the same files: read and parse them once while they are
// unchanged (an accept-new append changes the stamp), and hand out the same array, which
// known_hosts.ts then indexes once. The promise is kept, so the first hosts of a run, starting
// together, share one read.
const cache = new Map<string, { stamp: string; entries: Promise<readonly KnownHostEntry[]> }>();

/** Every file's entries, in order, each marked with its file (for messages naming file:line). */
export async function readKnownHostsFiles(files: readonly string[]): Promise<readonly KnownHostEntry[]> {
  const key = files.join('\0');
  const stamps = files.map(fileStamp).join('\0');
  const hit = cache.get(key);
  if (hit?.stamp === stamps) return hit.entries;
  const entries = Promise.all(
    files.map(async (file) => (await readKnownHosts(file)).map((entry) => ({ ...entry, file }))),
  ).then((all) => all.flat());
  cache.set(key, { stamp: stamps, entries });
  entries.catch(() => {
    if (cache.get(key)?.entries === entries) cache.delete(key);
  });
  return entries;
}

// Appends within this process run one after another per file, so two hosts accepted at the
// same moment never interleave and a host connecting twice is recorded once.
const appendQueues = new Map<string, Promise<unknown>>();

/**
 * Record a new host key (accept-new). The file is re-read inside the queue: if another
 * connection recorded the host meanwhile, its verdict stands (and a changed key is refused).
 * Each line goes out in one O_APPEND write, so other writers' whole lines are never torn.
 */
export function recordHostKey(file: string, host: string, port: number, blob: Buffer): Promise<HostKeyMatch> {
  const previous = appendQueues.get(file) ?? Promise.resolve();
  const next = previous
    .catch(() => undefined)
    .then(async () => {
      let text = '';
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      }
      const verdict = matchHostKey(parseKnownHosts(text), host, port, blob);
      if (verdict.status !== 'unknown') return verdict;
      const separator = text === '' || text.endsWith('\n') ? '' : '\n';
      await appendFile(file, separator + formatKnownHostsLine(host, port, blob), { flag: 'a', mode: 0o600 });
      const recorded: HostKeyMatch = { status: 'match', line: (text + separator).split('\n').length };
      return recorded;
    });
  appendQueues.set(file, next);
  return next;
}
