// Start-up of the CLI: the sources through tsx (as before; SLS_PLAY_TSX=1) against the
// precompiled CLI (bin/compiled.mjs), for `--help` and a one-host `exec -- true`, beside
// `node -e 0`. Median of N runs, markdown table to stdout and bench/results/startup-latest.md.
//   node --import tsx bench/startup.ts [--runs 10] [--no-exec]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFleet, type Fleet } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import { machine, measure, median, mib, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' }, 'no-exec': { type: 'boolean', default: false } } });
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
  return [what, seconds(median(walls)), `${seconds(Math.min(...walls))} – ${seconds(Math.max(...walls))}`, seconds(median(list.map((r) => r.cpuMs))), mib(Math.max(...list.map((r) => r.maxRssKb)))];
}

const base = { ...process.env, CI: 'true' };
const tsx = { ...base, SLS_PLAY_TSX: '1' };
const rows: string[][] = [await repeat('node -e 0', process.execPath, ['-e', '0'], base)];
for (const [label, env] of [['through tsx (before)', tsx], ['precompiled (after)', base]] as const) {
  rows.push(await repeat(`sls-play --help, ${label}`, process.execPath, [CLI, '--help'], env));
}
let fleet: Fleet | undefined;
if (!values['no-exec']) {
  fleet = await startFleet(healthyProfiles(1, 'startup'));
  try {
    const args = [CLI, 'exec', fleet.inventoryPath, 'all', '--known-hosts', fleet.knownHostsPath, '--', 'true'];
    for (const [label, env] of [['through tsx (before)', tsx], ['precompiled (after)', base]] as const) {
      rows.push(await repeat(`sls-play exec (1 host) -- true, ${label}`, process.execPath, args, env));
    }
  } finally {
    await fleet.stop();
  }
}
const report = [
  '## sls-play start-up',
  '',
  table(['what', `median wall (${runs} runs)`, 'range', 'median CPU (user+sys)', 'peak RSS'], rows),
  '',
  `Machine: ${machine()}.`,
  '',
].join('\n');
process.stdout.write(report);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/startup-latest.md', import.meta.url), report);
