// Where a simulated host keeps its files. Inside the host's mount namespace the paths are the
// real ones (/etc/sophos, /var/lib/sls-sim); the fleet controller passes its own view instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CONFIG_NAME = 'runtimedetections.yaml';

/** @returns {import('./host.d.mts').HostPaths} */
export function insidePaths() {
  return { state: '/var/lib/sls-sim', sophos: '/etc/sophos', sophosCerts: '/etc/sophos-certs', resolve: (p) => p };
}

/** The host's description, written by the fleet at start. */
export function readHost(paths) {
  return JSON.parse(readFileSync(join(paths.state, 'host.json'), 'utf8'));
}
