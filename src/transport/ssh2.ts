// ssh2 is CommonJS and Node's ESM loader cannot see its named exports; take them from its
// module once, here, with their declared types. It is loaded on first use, not when the CLI
// starts: loading it takes about 50 ms of CPU, which `--help` or `inventory` need not pay.
import { createRequire } from 'node:module';
import type * as Ssh2 from 'ssh2';
import type { Client as ClientInstance } from 'ssh2';
import { certificateSupportProblem, installCertificateSupport } from './ssh2-cert-auth.ts';

let loaded: typeof Ssh2 | undefined;
function load(): typeof Ssh2 {
  const require = createRequire(import.meta.url);
  // before ssh2's own modules load: the key exchange copies a function it overrides
  installCertificateSupport(require);
  return require('ssh2') as typeof Ssh2;
}
const ssh2 = (): typeof Ssh2 => (loaded ??= load());

export type Client = ClientInstance;
// `new Client()` constructs ssh2's own Client (a constructor returning an object gives that object)
export const Client = function Client() {
  return new (ssh2().Client)();
} as unknown as typeof ClientInstance;
export const parseKey = ((...args: Parameters<typeof Ssh2.utils.parseKey>) =>
  ssh2().utils.parseKey(...args)) as typeof Ssh2.utils.parseKey;
/** ssh2's agent base class: an agent of our own must be an instance of it. */
export const agentBase = (): typeof Ssh2.BaseAgent => ssh2().BaseAgent;
/** Why ssh2 cannot take SSH certificates here (ssh2-cert-auth.ts), or undefined; loads ssh2. */
export const ssh2CertificateProblem = (): string | undefined => {
  ssh2();
  return certificateSupportProblem();
};
