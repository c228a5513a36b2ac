// Last-resort cleanup when the controller exits without stop() (a failed test, an exception).
// Namespaces die with their PID 1 anyway (setpriv --pdeathsig), but tmpfs mounts outlive us.
import { spawnSync } from 'node:child_process';

type Finaliser = () => void;
const finalisers = new Set<Finaliser>();
let installed = false;

/** Registers a synchronous cleanup; call the returned function once it has run normally. */
export function onExit(fn: Finaliser): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const f of finalisers) {
        try {
          f();
        } catch {
          /* keep cleaning the rest */
        }
      }
    });
  }
  finalisers.add(fn);
  return () => finalisers.delete(fn);
}

export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

export function unmountSync(path: string): void {
  spawnSync('umount', ['-l', path], { stdio: 'ignore' });
}
