/**
 * When the ssh2 client cannot take SSH certificates (its internals are not the ones
 * ssh2-cert-auth.ts was checked against), a host that needs them goes to the OpenSSH client
 * under `sls_ssh_client=auto`: one covered by a `@cert-authority` line, or one the user logs in
 * to with a certificate. Where ssh2 takes certificates, nothing changes.
 */
import { existsSync } from 'node:fs';
import { authoritiesFor, describeFiles } from './cert-authority.ts';
import { defaultKeyFiles } from './auth.ts';
import { lookupEndpoint } from './host_key.ts';
import { knownHostsName } from './known_hosts.ts';
import { readKnownHostsFiles } from './known_hosts_file.ts';
import { certificateFilesFor } from './user-certificates.ts';
import type { ConnectOptions } from './types.ts';

type Target = Pick<
  ConnectOptions,
  | 'address'
  | 'port'
  | 'hostKeyAlias'
  | 'knownHostsFile'
  | 'extraKnownHostsFiles'
  | 'privateKeyFiles'
  | 'certificateFiles'
>;

/** Why this host needs the OpenSSH client for certificates, or undefined; `problem` is ssh2's. */
export async function certificatesNeedOpenSsh(
  target: Target,
  problem: string | undefined,
): Promise<string | undefined> {
  if (problem === undefined) return undefined;
  const files = [target.knownHostsFile, ...(target.extraKnownHostsFiles ?? [])];
  const { host, port } = lookupEndpoint(target);
  const name = knownHostsName(host, port);
  if (authoritiesFor(await readKnownHostsFiles(files), name).length > 0) {
    return `${describeFiles(files)} trusts ${name} through a CA (@cert-authority), and the ssh2 client cannot take host certificates here (${problem})`;
  }
  const certificates = certificateFilesFor(
    [...target.privateKeyFiles, ...defaultKeyFiles()],
    target.certificateFiles ?? [],
  ).filter((file) => existsSync(file));
  if (certificates.length > 0) {
    return `a user certificate (${certificates[0]}) is to be offered, and the ssh2 client cannot offer certificates here (${problem})`;
  }
  return undefined;
}
