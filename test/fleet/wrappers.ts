// The simulated programs are plain Node scripts in ./sim; a host sees them through tiny shell
// wrappers that run them with this Node, wherever the repository is checked out.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIM_DIR = fileURLToPath(new URL('./sim/', import.meta.url));
export const BOOT_SCRIPT = fileURLToPath(new URL('./boot.sh', import.meta.url));

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes `dir/name` that runs sim/<script>. */
export function writeWrapper(dir: string, name: string, script: string): void {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(join(SIM_DIR, script))} "$@"\n`);
  chmodSync(path, 0o755);
}

/** The layer over /usr/bin that every host shares. */
export function writeSystemTools(dir: string): void {
  writeWrapper(dir, 'systemctl', 'systemctl.mjs');
  writeWrapper(dir, 'journalctl', 'journalctl.mjs');
  writeWrapper(dir, 'dpkg-query', 'dpkg-query.mjs');
  // the real apt-get/apt-cache must never run on a host: they would change this machine's packages
  writeWrapper(dir, 'apt-get', 'apt-get.mjs');
  writeWrapper(dir, 'apt-cache', 'apt-cache.mjs');
}
