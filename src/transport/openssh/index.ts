/** OpenSSH as the second SSH client: the system's `ssh`, one ControlMaster per host. */
import type { Connection, ConnectOptions } from '../types.ts';
import { rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SYSTEM_SSH_CONFIG } from '../resolve.ts';
import { masterArgGroups, runConfigText, type ArgGroup, type MasterInputs } from './argv.ts';
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

/** What ssh reads without -F: the user's config, then the system's; or the one named (`none`, `/dev/null`: nothing). */
function readConfigs(configFile: string | undefined): string[] {
  if (configFile === '/dev/null' || configFile?.toLowerCase() === 'none') return [];
  const system = process.env.SLS_PLAY_SYSTEM_SSH_CONFIG || SYSTEM_SSH_CONFIG;
  return configFile !== undefined ? [configFile] : [join(homedir(), '.ssh', 'config'), system];
}

export async function connectOpenSsh(options: OpenSshOptions): Promise<Connection> {
  const controlPath = newControlPath({
    master: options.master,
    config: options.configInputs ?? {},
    address: options.address,
    port: options.port,
    user: options.user,
  });
  const inputs = { ...options.master, controlPath };
  const runConfig = `${controlPath}.conf`;
  writeFileSync(runConfig, runConfigText(inputs, readConfigs(options.master.configFile)), { mode: 0o600 });
  const groups = masterArgGroups(inputs, runConfig, `${controlPath}.log`);
  options.describe?.(groups);
  try {
    await startMaster(
      groups.flatMap((group) => group.args),
      controlPath,
      options.master.destination,
      options,
    );
  } catch (error) {
    rmSync(runConfig, { force: true });
    rmSync(`${controlPath}.log`, { force: true });
    throw error;
  }
  return new OpenSshConnection(options, controlPath, options.master.destination);
}

export { describeGroups, type ArgGroup } from './argv.ts';
