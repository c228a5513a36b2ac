// Start-up of the CLI as users run it: the packed package installed into a new project
// (test/helpers/packed.ts), for `--help` and a one-host `exec -- true`, beside `node -e 0` and a
// checkout's `node bin/sls-play.js --help` (dist/ up to date). Median of N runs, markdown table to
// stdout and bench/results/startup-latest.md.
//   node --import tsx bench/startup.ts [--runs 10] [--no-exec]
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFleet, type Fleet } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import { installPacked } from '../test/helpers/packed.ts';
import { machine, measure, median, mib, publish, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, 'no-exec': { type: 'boolean', default: false } },
});
const runs = Number(values.runs);

async function repeat(what: string, command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  await measure(command, args, { env, cwd: REPO }); // warm: the compiled build or tsx's cache, the page cache
  const list: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await measure(command, args, { env, cwd: REPO });
    if (run.code !== 0) throw new Error(`${what}: exit ${run.code}\n${run.stderr}`);
    list.push(run);
  }
  const walls = list.map((r) => r.wallMs);
  return [
    what,
    seconds(median(walls)),
    `${seconds(Math.min(...walls))} – ${seconds(Math.max(...walls))}`,
    seconds(median(list.map((r) => r.cpuMs))),
    mib(Math.max(...list.map((r) => r.maxRssKb))),
  ];
}

const base = { ...process.env, CI: 'true' };
const project = await installPacked();
const installed = join(project.dir, 'node_modules', 'sls-play', 'bin', 'sls-play.js');
const rows: string[][] = [await repeat('node -e 0', process.execPath, ['-e', '0'], base)];
rows.push(await repeat('sls-play --help, a checkout (node bin/sls-play.js)', process.execPath, [CLI, '--help'], base));
rows.push(await repeat('sls-play --help, the installed package', process.execPath, [installed, '--help'], base));
let fleet: Fleet | undefined;
try {
  if (!values['no-exec']) {
    fleet = await startFleet(healthyProfiles(1, 'startup'));
    const args = [installed, 'exec', fleet.inventoryPath, 'all', '--known-hosts', fleet.knownHostsPath, '--', 'true'];
    rows.push(await repeat('sls-play exec (1 host) -- true, the installed package', process.execPath, args, base));
  }
} finally {
  await fleet?.stop();
  rmSync(project.dir, { recursive: true, force: true });
  rmSync(dirname(project.packed.tarball), { recursive: true, force: true });
}
const report = [
  '## sls-play start-up',
  '',
  table(['what', `median wall (${runs} runs)`, 'range', 'median CPU (user+sys)', 'peak RSS'], rows),
  '',
  `Tarball: ${(project.packed.size / 1024).toFixed(0)} KiB, ${project.packed.files.length} files.`,
  '',
  `Machine: ${machine()}.`,
  '',
].join('\n');
publish({ 'startup-latest.md': report }, report);
