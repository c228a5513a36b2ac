// Each fleet takes a 127.N.0.0/16 range of its own so fleets started at the same time (other
// test files, the demo, benchmarks) never collide. A lock file per N records the owner's pid.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK_DIR = join(tmpdir(), 'sls-fleet-subnets');

/** Second octets that have a TCP listener on 127.N.x.y, from /proc/net/tcp. */
function busySubnets(): Set<number> {
  const busy = new Set<number>();
  let table = '';
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return busy;
  }
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[3] !== '0A') continue; // LISTEN
    const hex = cols[1]?.split(':')[0] ?? '';
    // little-endian: 0100007F is 127.0.0.1, the second octet is the third byte pair
    if (hex.length === 8 && hex.slice(6, 8) === '7F') busy.add(parseInt(hex.slice(4, 6), 16));
  }
  return busy;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(n: number): boolean {
  const file = join(LOCK_DIR, String(n));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    const owner = Number(readFileSync(file, 'utf8'));
    if (owner && owner !== process.pid && alive(owner)) return false;
    // a stale lock from a process that died: take it over
    writeFileSync(file, String(process.pid));
    return true;
  }
}

export function releaseSubnet(n: number): void {
  rmSync(join(LOCK_DIR, String(n)), { force: true });
}

/** Ranges 2..89 are handed out on request for any free range. */
const FREE_RANGES = 88;

/** Reserves a 127.N range: the one asked for, or a free one. */
export function reserveSubnet(wanted?: number): number {
  mkdirSync(LOCK_DIR, { recursive: true });
  const busy = busySubnets();
  if (wanted !== undefined) {
    if (!Number.isInteger(wanted) || wanted < 1 || wanted > 254)
      throw new Error(`fleet subnet must be 1..254, got ${wanted}`);
    if (busy.has(wanted)) throw new Error(`fleet subnet 127.${wanted}.0.0/16 is in use: a process listens there`);
    if (!tryLock(wanted)) throw new Error(`fleet subnet 127.${wanted}.0.0/16 is in use by another fleet`);
    return wanted;
  }
  // Test files that name their range take 90 and up; a free range is taken below them, so a file
  // started beside another never finds its named range taken by a neighbour's free one.
  const start = 2 + Math.floor(Math.random() * FREE_RANGES);
  for (let i = 0; i < FREE_RANGES; i++) {
    const n = 2 + ((start - 2 + i) % FREE_RANGES);
    if (!busy.has(n) && tryLock(n)) return n;
  }
  throw new Error('no free 127.N.0.0/16 range for a fleet: every one is locked or listened on');
}

/** The i-th host's address in range N: 127.N.(1 + i / 250).(1 + i % 250). */
export function hostAddress(subnet: number, index: number): string {
  return `127.${subnet}.${1 + Math.floor(index / 250)}.${1 + (index % 250)}`;
}
