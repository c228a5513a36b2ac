// `dpkg-query -W|-s`: the sensor when it is installed as a package, and the host's other simulated
// packages (packages.mjs).
import { insidePaths, readHost } from './host.mjs';
import { readPackages } from './packages.mjs';

const paths = insidePaths();
const host = readHost(paths);
const installed = readPackages(paths, host).installed;
const args = process.argv.slice(2);
let format = '${Package}\t${Version}\n';
let mode = null;
const names = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-W' || a === '--show') mode = 'show';
  else if (a === '-s' || a === '--status') mode = 'status';
  else if (a === '-f' || a === '--showformat') format = args[++i] ?? '';
  else if (a.startsWith('-f')) format = a.slice(2).replace(/^=/, '');
  else if (a.startsWith('--showformat=')) format = a.slice('--showformat='.length);
  else names.push(a);
}
let rc = 0;
for (const name of names) {
  const version = installed[name];
  if (version === undefined) {
    process.stderr.write(
      mode === 'status'
        ? `dpkg-query: package '${name}' is not installed and no information is available\n`
        : `dpkg-query: no packages found matching ${name}\n`,
    );
    rc = 1;
    continue;
  }
  if (mode === 'status') {
    process.stdout.write(`Package: ${name}\nStatus: install ok installed\nVersion: ${version}\n`);
    continue;
  }
  const fields = {
    Package: name,
    Version: version,
    Status: 'install ok installed',
    'db:Status-Abbrev': 'ii ',
    Architecture: 'amd64',
  };
  process.stdout.write(
    format
      .replace(/\$\{([^}]+)\}/g, (_, f) => fields[f] ?? '')
      .replace(/\\n/g, '\n')
      .replace(/\\t/g, '\t'),
  );
}
if (mode === null) {
  process.stderr.write('dpkg-query: need an action option\n');
  rc = 2;
}
process.exit(rc);
