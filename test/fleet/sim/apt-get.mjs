// `apt-get install|remove|purge [-y] [--only-upgrade] <pkg>…` over the host's simulated packages
// (packages.mjs). Without -y it asks, and a closed stdin aborts, as apt-get does.
import { insidePaths } from './host.mjs';
import { readPackages, recordRun, writePackages } from './packages.mjs';

const paths = insidePaths();
const args = process.argv.slice(2);
const words = [];
let yes = false;
let onlyUpgrade = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-o') {
    i++;
    continue;
  }
  if (a === '-y' || a === '--yes' || a === '--assume-yes' || /^-[a-z]*y[a-z]*$/.test(a)) yes = true;
  else if (a === '--only-upgrade') onlyUpgrade = true;
  else if (!a.startsWith('-')) words.push(a);
}
const [verb, ...names] = words;
const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s);

function main() {
  if (verb === 'update') {
    out('Reading package lists... Done\n');
    return 0;
  }
  if (!['install', 'remove', 'purge'].includes(verb)) {
    err(`E: Invalid operation ${verb ?? ''}\n`);
    return 100;
  }
  const state = readPackages(paths);
  out('Reading package lists... Done\nBuilding dependency tree... Done\n');
  const changes = [];
  for (const name of names) {
    if (verb === 'install') {
      const want = state.available[name];
      if (want === undefined && state.installed[name] === undefined) {
        err(`E: Unable to locate package ${name}\n`);
        return 100;
      }
      if (onlyUpgrade && state.installed[name] === undefined) {
        out(`Skipping ${name}, it is not installed and only upgrades are requested.\n`);
        continue;
      }
      if (want !== undefined && state.installed[name] !== want) changes.push([name, want]);
      else out(`${name} is already the newest version (${state.installed[name]}).\n`);
    } else if (state.installed[name] !== undefined) changes.push([name, null]);
    else out(`Package '${name}' is not installed, so not removed\n`);
  }
  if (changes.length === 0) {
    out('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n');
    return 0;
  }
  if (!yes) {
    out('Do you want to continue? [Y/n] ');
    err('Abort.\n');
    return 1;
  }
  for (const [name, version] of changes) {
    if (version === null) {
      out(`Removing ${name} (${state.installed[name]}) ...\n`);
      delete state.installed[name];
    } else {
      out(`Setting up ${name} (${version}) ...\n`);
      state.installed[name] = version;
    }
  }
  writePackages(paths, state);
  recordRun(paths, { args, frontend: process.env.DEBIAN_FRONTEND ?? null });
  return 0;
}

process.exit(main());
