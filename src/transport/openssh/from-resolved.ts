/** A host's resolved connection settings as the OpenSSH client's master command line takes them. */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ClientChoiceError } from '../client-choice.ts';
import type { ResolvedConnectOptions } from '../resolve.ts';
import type { OpenSshOptions } from './index.ts';

export interface OpenSshSettings {
  /** --ssh-config. */
  sshConfigFile?: string;
  /** --known-hosts. */
  knownHostsFile?: string;
  /** --host-key-checking was given. */
  hostKeyCheckingExplicit: boolean;
}

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

function expandHome(file: string): string {
  return file === '~' ? homedir() : file.startsWith('~/') ? join(homedir(), file.slice(2)) : file;
}

/**
 * ssh reads the ssh config itself (it applies to the inventory's name for the host, as with
 * Ansible); the command line carries only what the inventory and the command line say.
 */
export function openSshOptions(
  resolved: ResolvedConnectOptions,
  vars: Record<string, unknown>,
  settings: OpenSshSettings,
): OpenSshOptions {
  if (resolved.password !== undefined) {
    throw new ClientChoiceError(
      `${resolved.name}: a password login (ansible_password) needs the ssh2 client: OpenSSH runs with BatchMode yes and never types a password; use a key, or --ssh-client ssh2`,
    );
  }
  const fromConfig = new Set(resolved.sshConfig.identityFiles);
  return {
    ...resolved,
    master: {
      destination: resolved.sshName,
      ...(settings.sshConfigFile !== undefined ? { configFile: expandHome(settings.sshConfigFile) } : {}),
      userArgs: resolved.sshArgWords,
      ...(given(vars.ansible_user) ? { user: resolved.user } : {}),
      ...(given(vars.ansible_port) ? { port: resolved.port } : {}),
      identityFiles: resolved.privateKeyFiles.filter((file) => !fromConfig.has(file)),
      hostKeyChecking: resolved.hostKeyChecking,
      hostKeyCheckingExplicit: settings.hostKeyCheckingExplicit,
      ...(settings.knownHostsFile !== undefined ? { knownHostsFile: expandHome(settings.knownHostsFile) } : {}),
      connectTimeoutMs: resolved.connectTimeoutMs,
    },
    configInputs: resolved.sshConfig.keywords,
  };
}
