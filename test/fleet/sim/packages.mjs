// A simulated host's packages: what is installed and what its repositories offer, in the state
// dir (packages.json), shared by the simulated apt-get, apt-cache and dpkg-query. The sensor of a
// package deployment is always installed. Nothing here touches the real system's packages.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = (paths) => join(paths.state, 'packages.json');

export function readPackages(paths, host) {
  const state = existsSync(file(paths))
    ? JSON.parse(readFileSync(file(paths), 'utf8'))
    : { installed: {}, available: {} };
  if (host?.installed && host.deployment === 'package')
    state.installed = { sophoslinuxsensor: host.version, ...state.installed };
  return state;
}

export function writePackages(paths, state) {
  const tmp = `${file(paths)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file(paths));
}

/** Every apt-get run that changed something, with the DEBIAN_FRONTEND it saw. */
export function recordRun(paths, entry) {
  appendFileSync(join(paths.state, 'apt-history.jsonl'), `${JSON.stringify({ t: Date.now(), ...entry })}\n`);
}
