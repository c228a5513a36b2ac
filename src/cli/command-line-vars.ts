/**
 * The connection options of the command line as the inventory variables they stand for. As in
 * Ansible, they sit above ansible.cfg and below every inventory variable (`-u bob` does not beat
 * `ansible_user: alice` in the inventory; `-e ansible_user=bob` does).
 */
import type { Vars } from '../inventory/types.ts';

export interface ConnectionCliOptions {
  user?: string;
  keyFile?: string;
  connection?: string;
  sshCommonArgs?: string;
  sshExtraArgs?: string;
  become?: boolean;
  becomeUser?: string;
  becomeMethod?: string;
}

const VARIABLE_OF: Record<keyof ConnectionCliOptions, string> = {
  user: 'ansible_user',
  keyFile: 'ansible_ssh_private_key_file',
  connection: 'ansible_connection',
  sshCommonArgs: 'ansible_ssh_common_args',
  sshExtraArgs: 'ansible_ssh_extra_args',
  become: 'ansible_become',
  becomeUser: 'ansible_become_user',
  becomeMethod: 'ansible_become_method',
};

export function commandLineVars(options: ConnectionCliOptions): Vars {
  const vars: Vars = {};
  for (const [option, variable] of Object.entries(VARIABLE_OF)) {
    const value = options[option as keyof ConnectionCliOptions];
    if (value !== undefined) vars[variable] = value;
  }
  return vars;
}

/** The inventories a command names: its positional one (if it takes one) first, then every -i in order. */
export function inventoryPaths(positional: string | undefined, given: string[] | undefined): string[] | undefined {
  const paths = [...(positional === undefined ? [] : [positional]), ...(given ?? [])];
  return paths.length ? paths : undefined;
}
