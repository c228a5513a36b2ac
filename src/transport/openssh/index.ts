/** OpenSSH as the second SSH client: the system's `ssh`, one ControlMaster per host. */
import type { Connection, ConnectOptions } from '../types.ts';
import { masterArgGroups, type ArgGroup, type MasterInputs } from './argv.ts';
import { OpenSshConnection } from './connection.ts';
import { newControlPath } from './control-path.ts';
import { startMaster } from './master.ts';

export interface OpenSshOptions extends ConnectOptions {
  /** How the master is started; see MasterInputs (the ControlPath is chosen here). */
  master: Omit<MasterInputs, 'controlPath'>;
  /** Every setting the ssh config gives the host that is not on the command line (ProxyCommand…), for the ControlPath's hash. */
  configInputs?: Record<string, unknown>;
  /** Sees the master's command line, one group and its reason a line (for -v). */
  describe?: (groups: ArgGroup[]) => void;
}

export async function connectOpenSsh(options: OpenSshOptions): Promise<Connection> {
  const controlPath = newControlPath({
    master: options.master,
    config: options.configInputs ?? {},
    address: options.address,
    port: options.port,
    user: options.user,
  });
  const groups = masterArgGroups({ ...options.master, controlPath });
  options.describe?.(groups);
  await startMaster(
    groups.flatMap((group) => group.args),
    controlPath,
    options.master.destination,
    options,
  );
  return new OpenSshConnection(options, controlPath, options.master.destination);
}

export { describeGroups, type ArgGroup } from './argv.ts';
