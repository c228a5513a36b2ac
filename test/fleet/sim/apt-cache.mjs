// `apt-cache policy <pkg>…` over the host's simulated packages (packages.mjs).
import { insidePaths, readHost } from './host.mjs';
import { readPackages } from './packages.mjs';

const paths = insidePaths();
const state = readPackages(paths, readHost(paths));
const [verb, ...names] = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (verb !== 'policy') {
  process.stderr.write(`E: simulated apt-cache knows only "policy"\n`);
  process.exit(100);
}
for (const name of names) {
  const installed = state.installed[name];
  const candidate = state.available[name] ?? installed;
  if (installed === undefined && candidate === undefined) {
    process.stderr.write(`N: Unable to locate package ${name}\n`);
    continue;
  }
  process.stdout.write(
    `${name}:\n  Installed: ${installed ?? '(none)'}\n  Candidate: ${candidate ?? '(none)'}\n  Version table:\n`,
  );
}
