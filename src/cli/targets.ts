import { loadInventory, selectHosts } from '../inventory/index.ts';
import { InventoryError, type Inventory } from '../inventory/types.ts';
import { registerSecret, registerSecretVars } from '../report/secrets.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { CliError, EXIT } from './errors.ts';
import { parseExtraVars } from './extra-vars.ts';
import { emptyInventoryWarning, noHostsMatchedMessage } from './no-hosts.ts';
import { NoHostsMatchedError } from '../inventory/index.ts';

export async function readInventory(path: string): Promise<Inventory> {
  try {
    const inventory = await loadInventory(path);
    for (const warning of inventory.warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
    return inventory;
  } catch (error) {
    if (error instanceof InventoryError) throw new CliError(error.message, EXIT.parseError);
    throw error;
  }
}

/**
 * The hosts a command works on, each with its merged variables plus the extra variables on top.
 * Every secret-named value is registered for redaction here, where it enters.
 */
export async function loadTargets(inventoryPath: string, pattern: string | undefined, extraVarArgs: string[], limit?: string): Promise<HostTarget[]> {
  const extraVars = parseExtraVars(extraVarArgs);
  const inventory = await readInventory(inventoryPath);
  const empty = emptyInventoryWarning(inventory);
  if (empty) {
    process.stderr.write(`warning: ${empty}\n`);
    return [];
  }
  let hosts;
  try {
    hosts = selectHosts(inventory, pattern ?? 'all');
    // as Ansible's --limit: a subset of what the pattern chose, whatever operators each one uses
    if (limit !== undefined) {
      const allowed = new Set(selectHosts(inventory, limit).map((h) => h.name));
      hosts = hosts.filter((h) => allowed.has(h.name));
      if (hosts.length === 0) throw new Error(`no host matches both the pattern "${pattern}" and --limit "${limit}"`);
    }
  } catch (error) {
    if (error instanceof NoHostsMatchedError) throw new CliError(noHostsMatchedMessage(error.pattern, inventory), EXIT.badOptions);
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.badOptions);
  }
  registerSecret(process.env.SLS_API_KEY);
  registerSecretVars(extraVars);
  return hosts.map((host) => {
    const vars = { ...host.vars, ...extraVars };
    registerSecretVars(vars);
    return { name: host.name, vars };
  });
}
