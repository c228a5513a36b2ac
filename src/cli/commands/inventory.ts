import type { Command } from 'commander';
import { toAnsibleGraph, toAnsibleList } from '../../inventory/index.ts';
import { redact, registerSecretVars } from '../../report/secrets.ts';
import { readInventory } from '../targets.ts';
import { addVaultOptions, vaultKeyring, type VaultCliOptions } from '../vault-options.ts';

interface InventoryCliOptions extends VaultCliOptions {
  list?: boolean;
  graph?: string | boolean;
}

export function registerInventory(program: Command, done: (code: number) => void): void {
  addVaultOptions(
    program
      .command('inventory')
      .description('show hosts, groups and merged variables, as ansible-inventory does')
      .argument('<inventory>', 'inventory file or directory')
      .option('--list', 'the JSON document of ansible-inventory --list (the default)')
      .option('--graph [group]', 'the group tree of ansible-inventory --graph'),
  ).action(async (path: string, options: InventoryCliOptions) => {
    const inventory = await readInventory(path, await vaultKeyring(options));
    if (options.graph !== undefined && !options.list) {
      process.stdout.write(`${toAnsibleGraph(inventory, typeof options.graph === 'string' ? options.graph : undefined)}\n`);
    } else {
      // As ansible-inventory, --list shows variables; secrets stay masked as everywhere else.
      for (const host of inventory.hosts.values()) registerSecretVars(host.vars);
      process.stdout.write(`${redact(JSON.stringify(toAnsibleList(inventory), null, 4))}\n`);
    }
    done(0);
  });
}
