import { statSync } from 'node:fs';

/**
 * What tells a file's content changed without reading it (inode, size, modification and change
 * times); '' for a missing or unreadable file. Synchronous and without an error object for a
 * missing file: it runs for every host and every file the connection reads.
 */
export function fileStamp(file: string): string {
  try {
    const s = statSync(file, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}` : '';
  } catch {
    return '';
  }
}
