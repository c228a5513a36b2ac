import { loadInventory, selectHosts } from '../inventory/index.ts';
import { InventoryError, type Inventory } from '../inventory/types.ts';
import { registerSecret, registerSecretVars } from '../report/secrets.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { CliError, EXIT } from './errors.ts';
import { parseExtraVars } from './extra-vars.ts';

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
export async function loadTargets(inventoryPath: string, pattern: string | undefined, extraVarArgs: string[]): Promise<HostTarget[]> {
  const extraVars = parseExtraVars(extraVarArgs);
  const inventory = await readInventory(inventoryPath);
  let hosts;
  try {
    hosts = selectHosts(inventory, pattern ?? 'all');
  } catch (error) {
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
