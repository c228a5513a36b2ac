// The simulated programs are plain Node scripts in ./sim; a host sees them through tiny shell
// wrappers that run them with this Node, wherever the repository is checked out. A call whose
// answer is fixed for the host's life is answered by the wrapper itself: a Node start costs
// ~0.1 s of CPU, and every run's facts make two such calls on every host.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { insidePaths } from './sim/host.mjs';

export const SIM_DIR = fileURLToPath(new URL('./sim/', import.meta.url));
export const BOOT_SCRIPT = fileURLToPath(new URL('./boot.sh', import.meta.url));

/** Where a host keeps the answers of the shared wrappers, as the host sees it: in its state dir. */
const ANSWERS_DIR = join(insidePaths().state, 'answers');
/** The file of `systemctl show -p Environment sophoslinuxsensor`'s output on each host. */
export const UNIT_ENVIRONMENT_ANSWER = 'systemctl-show-environment';

/** A call answered without Node: exactly this argv prints `stdout`, or the host's file of that name when it has one. */
export type FixedAnswer = { argv: string[] } & ({ stdout: string } | { file: string });

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function answerLine({ argv, ...answer }: FixedAnswer): string {
  const matches = [`[ "$#" = ${argv.length} ]`, ...argv.map((arg, i) => `[ "$${i + 1}" = ${quote(arg)} ]`)];
  if ('file' in answer) {
    const file = quote(join(ANSWERS_DIR, answer.file));
    return `if ${[...matches, `[ -f ${file} ]`].join(' && ')}; then exec cat ${file}; fi\n`;
  }
  return `if ${matches.join(' && ')}; then printf %s ${quote(answer.stdout)}; exit 0; fi\n`;
}

/** Writes `dir/name` that runs sim/<script>, or answers the fixed calls itself. */
export function writeWrapper(dir: string, name: string, script: string, fixed: FixedAnswer[] = []): void {
  const path = join(dir, name);
  const run = `exec ${quote(process.execPath)} ${quote(join(SIM_DIR, script))} "$@"\n`;
  writeFileSync(path, `#!/bin/sh\n${fixed.map(answerLine).join('')}${run}`);
  chmodSync(path, 0o755);
}

/** The layer over /usr/bin that every host shares. */
export function writeSystemTools(dir: string): void {
  writeWrapper(dir, 'systemctl', 'systemctl.mjs', [
    { argv: ['show', '-p', 'Environment', 'sophoslinuxsensor'], file: UNIT_ENVIRONMENT_ANSWER },
  ]);
  writeWrapper(dir, 'journalctl', 'journalctl.mjs');
  writeWrapper(dir, 'dpkg-query', 'dpkg-query.mjs');
  // the real apt-get/apt-cache must never run on a host: they would change this machine's packages
  writeWrapper(dir, 'apt-get', 'apt-get.mjs');
  writeWrapper(dir, 'apt-cache', 'apt-cache.mjs');
}
