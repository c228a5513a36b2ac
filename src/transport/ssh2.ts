// ssh2 is CommonJS and Node's ESM loader cannot see its named exports; take them from its
// module once, here, with their declared types. It is loaded on first use, not when the CLI
// starts: loading it takes about 50 ms of CPU, which `--help` or `inventory` need not pay.
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';
import type { Client as ClientInstance } from 'ssh2';

let loaded: typeof Ssh2 | undefined;
const ssh2 = (): typeof Ssh2 => (loaded ??= createRequire(import.meta.url)('ssh2') as typeof Ssh2);

export type Client = ClientInstance;
// `new Client()` constructs ssh2's own Client (a constructor returning an object gives that object)
export const Client = function Client() {
  return new (ssh2().Client)();
} as unknown as typeof ClientInstance;
export const parseKey = ((...args: Parameters<typeof Ssh2.utils.parseKey>) =>
  ssh2().utils.parseKey(...args)) as typeof Ssh2.utils.parseKey;
