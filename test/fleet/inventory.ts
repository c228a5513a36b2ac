// The files a client needs to reach the fleet: an Ansible YAML inventory and a known_hosts.
import { writeFileSync } from 'node:fs';
import YAML from 'yaml';
import type { HostProfile } from './types.ts';

export interface InventoryEntry {
  profile: HostProfile;
  address: string;
  port: number;
  hostKey: string;
}

/** Variables the SLS playbook needs to reach a containerised sensor. */
function deploymentVars(profile: HostProfile): Record<string, unknown> {
  if (profile.deployment !== 'container') return {};
  return { sls_deployment: 'container', sls_exec_prefix: 'docker exec sls', sls_restart_command: 'docker restart sls' };
}

export function writeInventory(path: string, entries: InventoryEntry[], keyPath: string): void {
  const sensors: Record<string, Record<string, unknown>> = {};
  const groups: Record<string, { hosts: Record<string, null> }> = {};
  for (const { profile, address, port } of entries) {
    sensors[profile.name] = {
      ansible_host: address,
      ansible_port: port,
      ansible_user: 'root',
      ansible_ssh_private_key_file: keyPath,
      ...deploymentVars(profile),
      ...profile.vars,
    };
    for (const g of profile.groups ?? []) {
      groups[g] ??= { hosts: {} };
      groups[g].hosts[profile.name] = null;
    }
  }
  const doc = { all: { children: { sensors: { hosts: sensors }, ...groups } } };
  writeFileSync(path, `# simulated SLS fleet (test/fleet)\n${YAML.stringify(doc)}`);
}

export function knownHostsLine(address: string, port: number, hostKey: string): string {
  return `[${address}]:${port} ${hostKey}`;
}

export function writeKnownHosts(path: string, entries: InventoryEntry[]): void {
  writeFileSync(path, entries.map((e) => `${knownHostsLine(e.address, e.port, e.hostKey)}\n`).join(''));
}
