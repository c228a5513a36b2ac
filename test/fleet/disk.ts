// A small tmpfs over a host's /etc/sophos, for tests of a full disk. It is mounted on the
// controller side so tests read it like any other host's files, and unmounted at stop.
import { spawnSync } from 'node:child_process';
import { onExit, unmountSync } from './cleanup.ts';

export interface SmallDisk {
  release(): void;
}

export function mountSmallDisk(path: string, bytes: number, host: string): SmallDisk {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'sls-sim-disk', path], {
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(
      `fleet host ${host}: cannot mount a ${bytes}-byte tmpfs on ${path}: ${(r.stderr || r.error?.message || '').trim()}`,
    );
  const forget = onExit(() => unmountSync(path));
  return {
    release() {
      unmountSync(path);
      forget();
    },
  };
}
