import { loadInventory, selectHosts } from '../inventory/index.ts';
import { InventoryError, type Inventory, type Vars } from '../inventory/types.ts';
import { Templar } from '../inventory/template/index.ts';
import { CONNECTION_VARIABLES } from '../transport/resolve.ts';
import { decryptInlineVars, VaultError, type VaultKeyring } from '../inventory/vault/index.ts';
import { registerSecret, registerSecretVars } from '../report/secrets.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { CliError, EXIT } from './errors.ts';
import { parseExtraVars } from './extra-vars.ts';
import { maskOpenedVault, vaultCliError, vaultKeyring, type VaultCliOptions } from './vault-options.ts';
import { ansibleDefaultVars, inventoryFromSettings } from './ansible-config.ts';
import { emptyInventoryWarning, noHostsMatchedMessage } from './no-hosts.ts';
import { NoHostsMatchedError } from '../inventory/index.ts';
import { commandLineVars, type ConnectionCliOptions } from './command-line-vars.ts';

export async function readInventory(path: string | readonly string[], vault?: VaultKeyring): Promise<Inventory> {
  try {
    const inventory = await loadInventory(path, { vault });
    for (const warning of inventory.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
    return inventory;
  } catch (error) {
    if (error instanceof InventoryError) throw new CliError(error.message, EXIT.parseError);
    if (error instanceof VaultError) throw vaultCliError(error);
    throw error;
  }
}

/** How a command reads its inventory beyond the path: vault passwords, the command line's connection options. */
export type TargetOptions = VaultCliOptions & ConnectionCliOptions;

/** Inline `!vault` values opened, and masked as maskOpenedVault says. */
function openVaulted(vars: Vars, vault: VaultKeyring, host: string): Vars {
  try {
    return decryptInlineVars(vars, vault, `host ${host}`, maskOpenedVault);
  } catch (error) {
    // a variable that cannot be opened is a bad variable, whatever the reason
    if (error instanceof VaultError) throw new CliError(error.message, EXIT.badOptions);
    throw error;
  }
}

/**
 * The hosts a command works on, each with its merged variables plus the extra variables on top.
 * Every secret-named value is registered for redaction here, where it enters.
 */
export async function loadTargets(
  inventoryPath: string | readonly string[] | undefined,
  pattern: string | undefined,
  extraVarArgs: string[],
  limit?: string,
  options: TargetOptions = {},
): Promise<HostTarget[]> {
  const vault = await vaultKeyring(options);
  const extraVars = parseExtraVars(extraVarArgs, vault, maskOpenedVault);
  const inventory = await readInventory(inventoryFromSettings(inventoryPath, options.ansible), vault);
  const empty = emptyInventoryWarning(inventory);
  if (empty) {
    process.stderr.write(`warning: ${empty}\n`);
    return [];
  }
  let hosts: ReturnType<typeof selectHosts>;
  try {
    hosts = selectHosts(inventory, pattern ?? 'all');
    // as Ansible's --limit: a subset of what the pattern chose, whatever operators each one uses
    if (limit !== undefined) {
      const allowed = new Set(selectHosts(inventory, limit).map((h) => h.name));
      hosts = hosts.filter((h) => allowed.has(h.name));
      if (hosts.length === 0) throw new Error(`no host matches both the pattern "${pattern}" and --limit "${limit}"`);
    }
  } catch (error) {
    if (error instanceof NoHostsMatchedError)
      throw new CliError(noHostsMatchedMessage(error.pattern, inventory), EXIT.badOptions);
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.badOptions);
  }
  registerSecret(process.env.SLS_API_KEY);
  registerSecretVars(extraVars);
  const defaults = { ...ansibleDefaultVars(options.ansible), ...commandLineVars(options) };
  const varsOf = hostVarsAsRun(inventory, extraVars, vault, defaults);
  return hosts.map((host) => ({ name: host.name, vars: varsOf(host.name) }));
}

/**
 * Every host's variables as a run sees them: extra vars on top, inline vaults opened, then
 * `{{ }}` rendered (hostvars may reach any host, so any host can be asked for, lazily).
 * `defaults` (ansible.cfg, then the command line's connection options) sit below every inventory variable.
 * Secret-named values are registered for redaction. A connection or sls_ variable whose
 * template cannot render is exit 5; any other stays an UnrenderedValue, an error where used.
 */
export function hostVarsAsRun(
  inventory: Inventory,
  extraVars: Vars,
  vault: VaultKeyring,
  defaults: Vars = {},
): (host: string) => Vars {
  const raw = new Map<string, Vars>();
  const rawVars = (name: string): Vars => {
    let vars = raw.get(name);
    if (!vars) {
      vars = openVaulted({ ...defaults, ...inventory.hosts.get(name)?.vars, ...extraVars }, vault, name);
      raw.set(name, vars);
    }
    return vars;
  };
  const templar = new Templar(inventory, rawVars);
  return (host) => {
    const { vars, failures } = templar.renderHostLazily(host);
    // What sls-play itself reads must render before any host is touched; any other variable
    // is an error only where a step uses it, as in Ansible (group_vars shared with playbooks
    // may refer to facts or lookups sls-play does not have).
    for (const [name, error] of failures) {
      if (CONNECTION_VARIABLES.has(name) || name.startsWith('sls_')) throw new CliError(error.message, EXIT.badOptions);
    }
    registerSecretVars(vars);
    return vars;
  };
}
