import { Option, type Command } from 'commander';
import { toAnsibleGraph, toAnsibleList } from '../../inventory/index.ts';
import { withoutInternal } from '../../inventory/ansible-list.ts';
import { withoutUnsafe } from '../../inventory/template/index.ts';
import { redact, registerSecretVars } from '../../report/secrets.ts';
import { resolveConnectOptions } from '../../transport/index.ts';
import type { HostKeyChecking } from '../../transport/types.ts';
import { connectionJson } from '../connection-json.ts';
import { CliError, EXIT } from '../errors.ts';
import { parseExtraVars } from '../extra-vars.ts';
import { positiveNumber } from '../numbers.ts';
import { hostVarsAsRun, readInventory } from '../targets.ts';
import { addVaultOptions, maskOpenedVault, vaultKeyring, type VaultCliOptions } from '../vault-options.ts';
import { ansibleDefaultVars, applyAnsibleConfig, inventoryFromSettings } from '../ansible-config.ts';

interface InventoryCliOptions extends VaultCliOptions {
  list?: boolean;
  graph?: string | boolean;
  host?: string;
  connection?: boolean;
  extraVars: string[];
  sshConfig?: string;
  knownHosts?: string;
  hostKeyChecking?: HostKeyChecking;
  connectTimeout: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** JSON with keys sorted at every depth, as ansible-inventory prints it. */
function sortedJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    4,
  );
}

export function registerInventory(program: Command, done: (code: number) => void): void {
  addVaultOptions(
    program
      .command('inventory')
      .description('show hosts, groups and merged variables, as ansible-inventory does')
      .argument('[inventory]', 'inventory file or directory (default: inventory from ansible.cfg)')
      .option('--list', 'the JSON document of ansible-inventory --list (the default)')
      .option('--graph [group]', 'the group tree of ansible-inventory --graph')
      .option('--host <name>', "one host's variables, as ansible-inventory --host")
      .option(
        '--connection',
        'with --host: the connection sls-play would make, as JSON (templates rendered, ssh config applied)',
      )
      .option('-e, --extra-vars <k=v|@file.yml>', 'extra variables, for --connection (repeatable)', collect, [])
      .option('--ssh-config <file>', 'for --connection: ssh config, instead of ~/.ssh/config + /etc/ssh/ssh_config')
      .option('--known-hosts <file>', 'for --connection: known_hosts file')
      .addOption(new Option('--host-key-checking <mode>', 'for --connection').choices(['strict', 'accept-new', 'off']))
      .option('--connect-timeout <s>', 'for --connection: connection timeout in seconds', '10')
      .hook('preAction', (_, action) => applyAnsibleConfig(action)),
  ).action(async (given: string | undefined, options: InventoryCliOptions) => {
    const path = inventoryFromSettings(given, options.ansible);
    const vault = await vaultKeyring(options);
    const inventory = await readInventory(path, vault);
    if (options.connection && options.host === undefined)
      throw new CliError('--connection needs --host NAME', EXIT.badOptions);
    if (options.host !== undefined) {
      const host = inventory.hosts.get(options.host);
      if (!host)
        throw new CliError(
          `inventory --host: no host named "${options.host}" in ${inventory.source}; see them with: sls-play inventory${given === undefined ? '' : ` ${given}`} --graph`,
          EXIT.badOptions,
        );
      if (options.connection) {
        const vars = hostVarsAsRun(
          inventory,
          parseExtraVars(options.extraVars, vault, maskOpenedVault),
          vault,
          ansibleDefaultVars(options.ansible),
        )(host.name);
        const resolved = resolveConnectOptions(host.name, vars, {
          sshConfigFile: options.sshConfig,
          knownHostsFile: options.knownHosts,
          hostKeyChecking: options.hostKeyChecking ?? 'strict',
          hostKeyCheckingExplicit: options.hostKeyChecking !== undefined,
          connectTimeoutMs: positiveNumber(options.connectTimeout, '--connect-timeout', { allowZero: true }) * 1000,
        });
        for (const warning of resolved.warnings) process.stderr.write(`warning: ${redact(warning)}\n`);
        process.stdout.write(`${redact(JSON.stringify(connectionJson(resolved), null, 4))}\n`);
      } else {
        registerSecretVars(withoutUnsafe(host.vars));
        process.stdout.write(`${redact(sortedJson(withoutInternal(host.vars)))}\n`);
      }
    } else if (options.graph !== undefined && !options.list) {
      process.stdout.write(
        `${toAnsibleGraph(inventory, typeof options.graph === 'string' ? options.graph : undefined)}\n`,
      );
    } else {
      // As ansible-inventory, --list shows variables; secrets stay masked as everywhere else.
      for (const host of inventory.hosts.values()) registerSecretVars(withoutUnsafe(host.vars));
      process.stdout.write(`${redact(JSON.stringify(toAnsibleList(inventory), null, 4))}\n`);
    }
    done(0);
  });
}
