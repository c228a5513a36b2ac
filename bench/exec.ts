// `sls-play exec <inventory> all -- true` on 50 simulated hosts: wall time (median of 3) and
// peak memory, beside the CLI's start-up alone.
//   node --import tsx bench/exec.ts [--hosts 50] [--runs 3]
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFleet } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import { machine, measure, median, mib, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '50' }, runs: { type: 'string', default: '3' } } });
const hostCount = Number(values.hosts);
const runs = Number(values.runs);
const env = { ...process.env, CI: 'true' };
const cli = (args: string[]) => measure(process.execPath, [CLI, ...args], { env, cwd: REPO });

const fleet = await startFleet(healthyProfiles(hostCount, 'bench'));
try {
  const args = ['exec', fleet.inventoryPath, 'all', '--known-hosts', fleet.knownHostsPath, '--forks', String(hostCount), '--json', '--', 'true'];
  await cli(['--help']); // warm tsx's compile cache so no run pays for it
  const execRuns: Measured[] = [];
  const startRuns: Measured[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await cli(args);
    const doc = JSON.parse(run.stdout) as { summary: Record<string, number>; hosts: Record<string, { steps: { rc?: number }[] }> };
    const done = Object.values(doc.hosts).filter((h) => h.steps[0]?.rc === 0).length;
    if (run.code !== 0 || done !== hostCount) throw new Error(`exec run ${i + 1}: exit ${run.code}, ${done}/${hostCount} hosts ran the command\n${run.stderr}`);
    execRuns.push(run);
    // start-up alone: load every module and parse the arguments (the same imports as exec)
    startRuns.push(await cli(['exec', '--help']));
  }
  const row = (what: string, list: Measured[]) => [
    what,
    seconds(median(list.map((r) => r.wallMs))),
    list.map((r) => seconds(r.wallMs)).join(', '),
    seconds(median(list.map((r) => r.cpuMs))),
    mib(Math.max(...list.map((r) => r.maxRssKb))),
  ];
  const report = [
    `## sls-play exec on ${hostCount} simulated hosts`,
    '',
    table(
      ['what', `median wall (${runs} runs)`, 'runs', 'median CPU (user+sys)', 'peak RSS'],
      [row(`sls-play exec <inv> all -- true (${hostCount} hosts, forks ${hostCount})`, execRuns), row('sls-play exec --help (start-up only)', startRuns)],
    ),
    '',
    `Machine: ${machine()}. Every run checked: exit 0 and rc=0 from all ${hostCount} hosts.`,
    '',
  ].join('\n');
  process.stdout.write(report);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/exec-latest.md', import.meta.url), report);
} finally {
  await fleet.stop();
}
