// The performance goals in one run: the converge of 50 fresh hosts (sls-play, the equal-work
// OpenSSH floor and ansible-playbook side by side, with connections and commands per host from
// the hosts' sshd logs, fresh and converged), then `exec -- true` on 500 and 1,000 hosts (CPU per
// host, peak RSS, what stays behind per finished host). Writes bench/results.md: the goals with
// what was measured, then both benchmarks' tables, with the date and the machine.
//   node --import tsx bench/goals.ts [--converge-hosts 50] [--exec-hosts 500,1000] [--runs 3] [--from-results]
// --from-results writes bench/results.md from the last runs' bench/results/*.json without running.
// Takes long (the Ansible converge, three 1,000-host exec runs each): run it on a quiet machine.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ConvergeFigures } from './converge.ts';
import type { ExecBench } from './exec.ts';
import { table } from './measure.ts';

const { values } = parseArgs({
  options: {
    'converge-hosts': { type: 'string', default: '50' },
    'exec-hosts': { type: 'string', default: '500,1000' },
    runs: { type: 'string', default: '3' },
    'from-results': { type: 'boolean', default: false },
  },
});

const results = (file: string) => new URL(`./results/${file}`, import.meta.url);

function run(script: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(script, import.meta.url).pathname, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}

if (!values['from-results']) {
  await run('./converge.ts', ['--hosts', values['converge-hosts']!]);
  await run('./exec.ts', ['--hosts', values['exec-hosts']!, '--runs', values.runs!]);
}

const converge = JSON.parse(readFileSync(results('converge-latest.json'), 'utf8')) as {
  date: string;
  machine: string;
  figures: ConvergeFigures[];
};
const exec = JSON.parse(readFileSync(results('exec-latest.json'), 'utf8')) as ExecBench;

const convergeOf = (name: string) => converge.figures.find((f) => f.contender === name && !f.failure);
const sls = convergeOf('sls-play');
const floor = convergeOf('floor');
const ansible = convergeOf('ansible');
const execSls = exec.figures.filter((f) => f.contender === 'sls-play');
const biggest = execSls.at(-1);
const per = exec.perFinishedHost;
const verdict = (met: boolean | undefined) => (met === undefined ? 'not measured' : met ? 'met' : 'NOT met');
const fixed = (n: number | undefined, digits = 1) => (n === undefined ? 'n/a' : n.toFixed(digits));

const goals: string[][] = [
  [
    '1. Round trips: commands per host, fresh converge',
    '≤ 3',
    sls?.fresh
      ? `${sls.fresh.commands} (max ${sls.fresh.maxCommands}); floor ${floor?.fresh?.commands ?? 'n/a'}, Ansible ${ansible?.fresh?.commands ?? 'n/a'}`
      : 'n/a',
    verdict(sls?.fresh ? sls.fresh.maxCommands <= 3 : undefined),
  ],
  [
    '1. Round trips: commands per host, converged host',
    '1',
    sls?.converged
      ? `${sls.converged.commands} (max ${sls.converged.maxCommands}); floor ${floor?.converged?.commands ?? 'n/a'}, Ansible ${ansible?.converged?.commands ?? 'n/a'}`
      : 'n/a',
    verdict(sls?.converged ? sls.converged.maxCommands <= 1 : undefined),
  ],
  [
    '1. One SSH connection per host',
    '1',
    sls?.fresh && sls.converged ? `fresh ${sls.fresh.connections}, converged ${sls.converged.connections}` : 'n/a',
    verdict(sls?.fresh && sls.converged ? sls.fresh.connections === 1 && sls.converged.connections === 1 : undefined),
  ],
  [
    `2. Peak RSS, exec -- true on ${biggest?.hosts ?? 1000} hosts, forks ${biggest?.forks ?? 200}`,
    '≤ 200 MiB',
    biggest ? `${(biggest.peakRssKb / 1024).toFixed(0)} MiB` : 'n/a',
    verdict(biggest && biggest.hosts >= 1000 ? biggest.peakRssKb / 1024 <= 200 : undefined),
  ],
  [
    `2. Memory left per finished host (${per?.from ?? '?'} → ${per?.to ?? '?'} hosts)`,
    '≤ 20 KiB',
    per
      ? `heap still reachable at exit +${fixed(per.heapAfterGcKb)} KiB (peak RSS +${fixed(per.peakRssKb)} KiB, within its run-to-run noise)`
      : 'n/a',
    // what stays behind is what is still reachable once the GC has run; the peak RSS also
    // holds garbage not yet collected, which moves with the GC's timing
    verdict(per ? per.heapAfterGcKb <= 20 : undefined),
  ],
  [
    `3. Controller CPU per host, exec -- true (${biggest?.hosts ?? 1000} hosts, median of ${biggest?.runs ?? '?'})`,
    '≤ 5 ms',
    biggest ? `${biggest.cpuMsPerHost.toFixed(1)} ms` : 'n/a',
    verdict(biggest ? biggest.cpuMsPerHost <= 5 : undefined),
  ],
  [
    `4. Converge ${sls?.hosts ?? 50} hosts: Ansible's wall time / sls-play's`,
    '≥ 10×',
    sls?.wallMs && ansible?.wallMs
      ? `${(ansible.wallMs / sls.wallMs).toFixed(1)}× (${(sls.wallMs / 1000).toFixed(1)} s against ${(ansible.wallMs / 1000).toFixed(1)} s)`
      : 'n/a',
    verdict(sls?.wallMs && ansible?.wallMs ? ansible.wallMs / sls.wallMs >= 10 : undefined),
  ],
  [
    `4. Converge ${sls?.hosts ?? 50} hosts: sls-play's wall time / the OpenSSH floor's`,
    '≤ 0.5×',
    sls?.wallMs && floor?.wallMs
      ? `${(sls.wallMs / floor.wallMs).toFixed(2)}× (${(floor.wallMs / 1000).toFixed(1)} s floor)`
      : 'n/a',
    verdict(sls?.wallMs && floor?.wallMs ? sls.wallMs / floor.wallMs <= 0.5 : undefined),
  ],
];

const page = [
  '# Performance goals, measured',
  '',
  `Written by \`node --import tsx bench/goals.ts\`. Converge measured ${converge.date}, exec ${exec.date}.`,
  `Machine: ${exec.machine}. The simulated hosts' sshd, sensor and systemctl run on the same CPUs as`,
  'the controller, and other work on the machine shows in the load average noted beside each run:',
  'wall and CPU times are noisy; compare contenders measured in the same run.',
  '',
  table(['goal', 'target', 'measured', ''], goals),
  '',
  readFileSync(results('latest.md'), 'utf8').trim(),
  '',
  readFileSync(results('exec-latest.md'), 'utf8').trim(),
  '',
].join('\n');
writeFileSync(new URL('./results.md', import.meta.url), page);
process.stdout.write(page);
