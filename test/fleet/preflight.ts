// What the machine must offer before a fleet can start, checked up front so a failure says why.
import { existsSync, mkdirSync } from 'node:fs';
import { SSHD } from './sshd.ts';

// mount points the namespaces bind over; empty directories on the real system
const MOUNT_POINTS = ['/etc/sophos', '/etc/sophos-certs', '/var/lib/sls-sim', '/var/lib/sls-play'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function checkMachine(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the simulated fleet needs root (mount namespaces, bind mounts, sshd); run the tests as root');
  }
  if (!existsSync(SSHD))
    throw new Error(`the simulated fleet needs OpenSSH's server at ${SSHD}: apt-get install openssh-server`);
  for (const tool of ['setpriv', 'unshare']) {
    if (!existsSync(`/usr/bin/${tool}`)) throw new Error(`the simulated fleet needs /usr/bin/${tool} (util-linux)`);
  }
  for (const dir of MOUNT_POINTS) mkdirSync(dir, { recursive: true });
  // sshd's privilege separation directory
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
}

export function checkNames(names: string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (!NAME.test(name))
      throw new Error(`fleet host name "${name}" is not a valid host name (letters, digits, . _ -)`);
    if (seen.has(name)) throw new Error(`fleet host name "${name}" appears twice`);
    seen.add(name);
  }
}
