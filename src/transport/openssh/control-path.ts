/**
 * Where each host's ControlMaster listens: one private directory per run (mode 0700, so no other
 * local user can ride our connections), one short socket name per connection.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Linux's sun_path holds 108 bytes with the final NUL; ssh refuses a longer ControlPath. */
const SOCKET_PATH_MAX = 107;
/** The master binds `<path>.<16 random characters>` first, then links it to the path (mux.c). */
const MASTER_TEMP_SUFFIX = 17;
export const CONTROL_PATH_MAX = SOCKET_PATH_MAX - MASTER_TEMP_SUFFIX;

let directory: string | undefined;
let sequence = 0;

function makeDirectory(): string {
  // A long TMPDIR would leave no room for the socket name: /tmp then.
  const base = join(tmpdir(), 'sls-play-ssh-').length + 6 + 1 + 20 <= CONTROL_PATH_MAX ? tmpdir() : '/tmp';
  return mkdtempSync(join(base, 'sls-play-ssh-')); // mkdtemp creates it 0700
}

/** At the end of the run, once every master is gone. */
export function removeControlDirectory(): void {
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  directory = undefined;
}

/**
 * The socket name: a hash of every input of the connection (so two hosts that differ only in,
 * say, their ProxyCommand never share a master, ansible #63161) and a sequence number (so two
 * connections of this run never take over each other's socket).
 */
export function controlSocketName(inputs: unknown, number: number): string {
  const hash = createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16);
  return `${hash}-${number}`;
}

/** A fresh ControlPath for one connection; throws if even /tmp leaves no room under the socket limit. */
export function newControlPath(inputs: unknown): string {
  directory ??= makeDirectory();
  const path = join(directory, controlSocketName(inputs, ++sequence));
  if (path.length > CONTROL_PATH_MAX) {
    throw new Error(
      `the ControlPath ${path} is longer than ${CONTROL_PATH_MAX} characters; set TMPDIR to a short directory`,
    );
  }
  return path;
}
