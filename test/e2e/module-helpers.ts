// What the generic modules' end-to-end tests look at on a simulated host: every file it owns
// (its /etc/sophos, /etc/sophos-certs, home and simulated state: services, journal, packages).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetHost } from '../fleet/fleet.ts';
import { hostPaths } from '../fleet/layout.ts';
import { readDemo, type DemoState } from '../fleet/sim/demo-unit.mjs';

function walk(dir: string, prefix: string, out: Record<string, string>): void {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'lost+found') continue;
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) {
      out[`${prefix}/${name}/`] = `dir ${(stat.mode & 0o7777).toString(8)}`;
      walk(path, `${prefix}/${name}`, out);
    } else {
      out[`${prefix}/${name}`] =
        `${(stat.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
    }
  }
}

/** A hash and mode of every file the host owns; the journal and service state are files there. */
export function hostFiles(host: FleetHost): Record<string, string> {
  const out: Record<string, string> = {};
  walk(join(host.root, 'etc'), '/etc', out);
  walk(join(host.root, 'home'), '/root', out);
  walk(join(host.root, 'state'), '/var/lib/sls-sim', out);
  return out;
}

/** Everything a user could check on a host, to prove nothing changed. */
export function snapshot(host: FleetHost) {
  return {
    files: hostFiles(host),
    demo: demoState(host),
    journal: host.journal(),
    sensorRestarts: host.restartCount(),
  };
}

export function demoState(host: FleetHost): DemoState {
  return readDemo(hostPaths(host.root));
}

/** Writes a file into the host's /etc/sophos. */
export function putFile(host: FleetHost, name: string, content: string, mode = 0o644): void {
  const path = join(host.root, 'etc', 'sophos', name);
  writeFileSync(path, content);
  chmodSync(path, mode);
}

export function readFile(host: FleetHost, name: string): string {
  return readFileSync(join(host.root, 'etc', 'sophos', name), 'utf8');
}

export function modeOf(host: FleetHost, name: string): number {
  return statSync(join(host.root, 'etc', 'sophos', name)).mode & 0o7777;
}

export function packagesOf(host: FleetHost): { installed: Record<string, string>; available: Record<string, string> } {
  return JSON.parse(readFileSync(join(host.root, 'state', 'packages.json'), 'utf8'));
}

export function aptHistory(host: FleetHost): { args: string[]; frontend: string | null }[] {
  try {
    return readFileSync(join(host.root, 'state', 'apt-history.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
}
