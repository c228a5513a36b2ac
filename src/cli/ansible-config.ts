/**
 * ansible.cfg and ANSIBLE_* applied to a command before it runs: a setting fills what the
 * command line left at its default (the command line wins), the per-host ones (remote_user,
 * private_key_file, become, become_user, ssh_args) become the lowest-precedence variables
 * (inventory variables win, as in Ansible), and host_key_checking = False is honoured but said
 * out loud on every run.
 */
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { AnsibleCfgError, findAnsibleCfg, readAnsibleCfg } from '../config/ansible-cfg.ts';
import { ansibleSettings, AnsibleSettingError, type AnsibleSettings } from '../config/ansible-settings.ts';
import type { Vars } from '../inventory/types.ts';
import { CliError, EXIT } from './errors.ts';

export function loadAnsibleSettings(env: Record<string, string | undefined> = process.env): AnsibleSettings {
  try {
    const file = findAnsibleCfg({ env });
    return ansibleSettings(file ? readAnsibleCfg(file) : undefined, env, homedir());
  } catch (error) {
    if (error instanceof AnsibleCfgError || error instanceof AnsibleSettingError)
      throw new CliError(error.message, EXIT.badOptions);
    throw error;
  }
}

/** The variables the settings stand for, below every inventory variable. */
export function ansibleDefaultVars(settings: AnsibleSettings | undefined): Vars {
  const vars: Vars = {};
  if (!settings) return vars;
  if (settings.remoteUser !== undefined) vars.ansible_user = settings.remoteUser;
  if (settings.privateKeyFile !== undefined) vars.ansible_ssh_private_key_file = settings.privateKeyFile;
  if (settings.become !== undefined) vars.ansible_become = settings.become;
  if (settings.becomeUser !== undefined) vars.ansible_become_user = settings.becomeUser;
  if (settings.sshArgs !== undefined) vars.ansible_ssh_args = settings.sshArgs;
  return vars;
}

/**
 * The inventory the command line names, else every one ansible.cfg names (read together, merged
 * in order, as Ansible reads `inventory = a,b`); exit 5 when neither names one.
 */
export function inventoryFromSettings(
  given: string | readonly string[] | undefined,
  settings: AnsibleSettings | undefined,
): string | readonly string[] {
  if (given !== undefined && given.length > 0) return given;
  const paths = settings?.inventory ?? [];
  if (paths.length === 0) {
    throw new CliError(
      'no inventory given: name one (sls-play deploy -i inventory/prod), or set inventory in ansible.cfg [defaults] or ANSIBLE_INVENTORY',
      EXIT.badOptions,
    );
  }
  return paths;
}

/** The environment variables the vault reads, as ansible.cfg and the environment set them. */
export function vaultEnv(settings: AnsibleSettings | undefined): Record<string, string | undefined> {
  return {
    ANSIBLE_VAULT_PASSWORD_FILE: settings?.vaultPasswordFile,
    ANSIBLE_VAULT_IDENTITY_LIST: settings?.vaultIdentityList?.join(','),
  };
}

function fromCommandLine(command: Command, option: string): boolean {
  const source = command.getOptionValueSource(option);
  return source !== undefined && source !== 'default';
}

/** A preAction hook: `command.opts().ansible` gets the settings; defaults are filled in. */
export function applyAnsibleConfig(command: Command): void {
  const settings = loadAnsibleSettings();
  command.setOptionValue('ansible', settings);
  const has = (name: string) => command.options.some((o) => o.attributeName() === name);
  if (settings.forks !== undefined && has('forks') && !fromCommandLine(command, 'forks')) {
    command.setOptionValueWithSource('forks', String(settings.forks), 'config');
  }
  if (settings.timeout !== undefined && has('connectTimeout') && !fromCommandLine(command, 'connectTimeout')) {
    command.setOptionValueWithSource('connectTimeout', String(settings.timeout), 'config');
  }
  if (
    settings.hostKeyChecking === false &&
    has('hostKeyChecking') &&
    command.getOptionValue('hostKeyChecking') === undefined
  ) {
    command.setOptionValueWithSource('hostKeyChecking', 'off', 'config');
    process.stderr.write(
      `warning: host key checking is off (host_key_checking=False from ${settings.origin.hostKeyChecking}): any server answering at a host's address is trusted; use --host-key-checking accept-new instead\n`,
    );
  }
}
