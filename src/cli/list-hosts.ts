import type { HostTarget } from '../runner/host-run.ts';

/** `--list-hosts` as ansible and ansible-playbook print it: `  hosts (N):`, then one host a line. */
export function listHostsText(targets: readonly Pick<HostTarget, 'name'>[]): string {
  return `${[`  hosts (${targets.length}):`, ...targets.map((t) => `    ${t.name}`)].join('\n')}\n`;
}

/** Prints the list for `--list-hosts` and gives the exit status (0): no host is touched. */
export function printListHosts(targets: readonly Pick<HostTarget, 'name'>[]): number {
  process.stdout.write(listHostsText(targets));
  return 0;
}
