// `exec -- true` on the first N hosts of one simulated fleet (each host with its own empty /root,
// so no login script skews it), for several N, three ways:
//   sls-play exec <inv> 'all[0:N-1]' -- true --forks F
//   the OpenSSH-process floor: xargs -P F ssh … true (one ssh process per host, nothing else)
//   ansible 'all[0:N-1]' -m raw -a true -f F (Debian's ansible-core)
// Reports wall time, the controller's CPU (user+sys of the contender's whole process tree) and
// its peak RSS, in total and per host. For sls-play also what stays behind per finished host:
// every size runs against the same inventory and forks, so between two sizes the peak RSS and the
// heap still reachable at exit (after a full GC) grow only by what finished hosts leave behind.
// Markdown on stdout and in bench/results/exec-latest.md, figures in bench/results/exec-latest.json.
//   node --import tsx bench/exec.ts [--hosts 500,1000] [--forks 200] [--runs 3] [--only sls-play,floor,ansible] [--subnet 200]
// Big fleets need a quiet machine: the simulated hosts share its CPUs. Each contender's runs
// alternate with the others', so a burst of load elsewhere spreads over all of them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFleet, type Fleet } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import { kib, loadNow, machine, measure, median, mib, publish, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '500,1000' },
    forks: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'sls-play,floor,ansible' },
    'connect-timeout': { type: 'string', default: '60' },
    // bench fleets use 127.200-215.x.y while the e2e tests own lower ranges
    subnet: { type: 'string', default: '200' },
  },
});
const sizes = values
  .hosts!.split(',')
  .map(Number)
  .sort((a, b) => a - b);
const runs = Number(values.runs);
const connectTimeoutS = values['connect-timeout']!;
const work = mkdtempSync(join(tmpdir(), 'sls-bench-exec-'));

interface Contender {
  name: string;
  label: (forks: number) => string;
  run(fleet: Fleet, count: number, forks: number): Promise<Measured>;
  /** hosts that ran `true`, from the contender's output */
  succeeded(run: Measured): number;
}

const sshOptions = (fleet: Fleet) => [
  '-F',
  '/dev/null',
  '-o',
  'BatchMode=yes',
  '-o',
  `UserKnownHostsFile=${fleet.knownHostsPath}`,
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  `ConnectTimeout=${connectTimeoutS}`,
  '-o',
  'LogLevel=ERROR',
  '-i',
  fleet.keyPath,
];

/** Ansible's subscript: the inventory's first `count` hosts. */
const firstHosts = (count: number) => `all[0:${count - 1}]`;

const contenders: Contender[] = [
  {
    name: 'sls-play',
    label: (forks) => `sls-play exec -- true (forks ${forks})`,
    run: (fleet, count, forks) =>
      measure(
        process.execPath,
        [
          CLI,
          'exec',
          fleet.inventoryPath,
          firstHosts(count),
          '--known-hosts',
          fleet.knownHostsPath,
          '--forks',
          String(forks),
          '--connect-timeout',
          connectTimeoutS,
          '--json',
          '--',
          'true',
        ],
        { env: { ...process.env, CI: 'true' }, cwd: REPO, heapProbe: true },
      ),
    succeeded: (run) => {
      const doc = JSON.parse(run.stdout || '{"hosts":{}}') as { hosts: Record<string, { steps: { rc?: number }[] }> };
      return Object.values(doc.hosts).filter((h) => h.steps[0]?.rc === 0).length;
    },
  },
  {
    name: 'floor',
    label: (forks) => `OpenSSH processes: xargs -P ${forks} ssh … true`,
    run: (fleet, count, forks) => {
      const list = join(work, 'hosts.txt');
      // one line per host: the arguments after ssh's options; each host echoes ok once done
      writeFileSync(
        list,
        fleet.hosts
          .slice(0, count)
          .map((h) => `-p ${h.port} root@${h.address} true&&echo ok\n`)
          .join(''),
      );
      return measure('xargs', ['-a', list, '-P', String(forks), '-L', '1', 'ssh', ...sshOptions(fleet)], { cwd: REPO });
    },
    succeeded: (run) => run.stdout.split('\n').filter((l) => l === 'ok').length,
  },
  {
    name: 'ansible',
    label: (forks) => `ansible -m raw -a true -f ${forks}`,
    run: (fleet, count, forks) => {
      const home = join(work, 'ansible-home');
      mkdirSync(home, { recursive: true });
      return measure(
        'ansible',
        [firstHosts(count), '-i', fleet.inventoryPath, '-m', 'raw', '-a', 'true', '-f', String(forks), '-o'],
        {
          cwd: REPO,
          env: {
            ...process.env,
            ANSIBLE_HOST_KEY_CHECKING: 'True',
            ANSIBLE_TIMEOUT: connectTimeoutS,
            ANSIBLE_SSH_ARGS: `-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fleet.knownHostsPath} -o StrictHostKeyChecking=yes`,
            ANSIBLE_SSH_CONTROL_PATH_DIR: join(home, 'cp'),
            ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
            ANSIBLE_NOCOLOR: 'True',
          },
        },
      );
    },
    succeeded: (run) => run.stdout.split('\n').filter((l) => /\| CHANGED \| rc=0/.test(l)).length,
  },
];

/** One contender at one size, its runs summed up. */
export interface ExecFigures {
  contender: string;
  hosts: number;
  forks: number;
  runs: number;
  wallMs: number;
  cpuMs: number;
  cpuMsPerHost: number;
  /** the highest of the runs */
  peakRssKb: number;
  /** each run's */
  peakRssKbRuns?: number[];
  /** sls-play: heap used + external after a full GC at exit (median) */
  heapAfterGcKb?: number;
  /** load average (1 min) before each run */
  loads: number[];
}

export interface ExecBench {
  date: string;
  machine: string;
  figures: ExecFigures[];
  /**
   * sls-play between the smallest and the largest size: growth per extra finished host of the
   * heap still reachable at exit (what stays behind) and of the median peak RSS (which also moves
   * with when the GC happened to run: several MiB from run to run)
   */
  perFinishedHost?: { from: number; to: number; peakRssKb: number; heapAfterGcKb: number };
}

const chosen = contenders.filter((c) => values.only!.split(',').includes(c.name));
const figures: ExecFigures[] = [];
const date = new Date().toISOString();
try {
  await measure(process.execPath, [CLI, '--help'], { cwd: REPO }); // the compiled CLI's cache, built once
  const fleet = await startFleet(healthyProfiles(sizes.at(-1)!, 'exec'), { subnet: Number(values.subnet) });
  try {
    for (const count of sizes) {
      const forks = Math.min(Number(values.forks), count);
      const measured = new Map<string, { run: Measured; load: number }[]>(chosen.map((c) => [c.name, []]));
      for (let i = 0; i < runs; i++) {
        for (const contender of chosen) {
          const load = loadNow();
          const run = await contender.run(fleet, count, forks);
          const done = contender.succeeded(run);
          process.stderr.write(
            `${contender.name} on ${count} (load ${load}): ${seconds(run.wallMs)} wall, ${seconds(run.cpuMs)} CPU, ${mib(run.treeRssKb)} peak RSS` +
              `${run.heapAfterGcKb !== undefined ? `, ${kib(run.heapAfterGcKb)} heap after GC at exit` : ''}, ${done}/${count} hosts\n`,
          );
          if (done !== count)
            throw new Error(
              `${contender.name}: only ${done}/${count} hosts ran the command (exit ${run.code})\n${(run.stdout + run.stderr).slice(0, 3000)}`,
            );
          measured.get(contender.name)!.push({ run, load });
        }
      }
      for (const contender of chosen) {
        const list = measured.get(contender.name)!.map((m) => m.run);
        const cpuMs = median(list.map((r) => r.cpuMs));
        const heaps = list.map((r) => r.heapAfterGcKb).filter((h): h is number => h !== undefined);
        figures.push({
          contender: contender.name,
          hosts: count,
          forks,
          runs,
          wallMs: median(list.map((r) => r.wallMs)),
          cpuMs,
          cpuMsPerHost: cpuMs / count,
          peakRssKb: Math.max(...list.map((r) => r.treeRssKb)),
          peakRssKbRuns: list.map((r) => r.treeRssKb),
          ...(heaps.length ? { heapAfterGcKb: median(heaps) } : {}),
          loads: measured.get(contender.name)!.map((m) => m.load),
        });
      }
    }
  } finally {
    await fleet.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const bench: ExecBench = { date, machine: machine(), figures };
const sls = figures.filter((f) => f.contender === 'sls-play');
if (sls.length >= 2) {
  const [a, b] = [sls[0]!, sls.at(-1)!];
  const extra = b.hosts - a.hosts;
  bench.perFinishedHost = {
    from: a.hosts,
    to: b.hosts,
    peakRssKb: (median(b.peakRssKbRuns ?? [b.peakRssKb]) - median(a.peakRssKbRuns ?? [a.peakRssKb])) / extra,
    heapAfterGcKb: ((b.heapAfterGcKb ?? 0) - (a.heapAfterGcKb ?? 0)) / extra,
  };
}

const labelOf = (name: string, forks: number) => contenders.find((c) => c.name === name)!.label(forks);
const sections = sizes.flatMap((count) => {
  const rows = figures
    .filter((f) => f.hosts === count)
    .map((f) => [
      labelOf(f.contender, f.forks),
      seconds(f.wallMs),
      seconds(f.cpuMs),
      `${f.cpuMsPerHost.toFixed(1)} ms`,
      `${mib(f.peakRssKb)}${f.peakRssKbRuns && f.peakRssKbRuns.length > 1 ? ` (${f.peakRssKbRuns.map((k) => (k / 1024).toFixed(0)).join(', ')})` : ''}`,
      f.heapAfterGcKb !== undefined ? kib(f.heapAfterGcKb) : '',
      f.loads.join(', '),
    ]);
  return [
    `### exec -- true on ${count} simulated hosts`,
    '',
    table(
      [
        'contender',
        `wall (median of ${runs})`,
        'controller CPU (user+sys, median)',
        'CPU per host',
        'peak RSS (all its processes: max (each run))',
        'heap after GC at exit',
        'load before each run',
      ],
      rows,
    ),
    '',
  ];
});
const per = bench.perFinishedHost;
const report = [
  '## Ad hoc command on a fleet: sls-play, the OpenSSH-process floor, Ansible',
  '',
  ...sections,
  ...(per
    ? [
        `sls-play, per extra finished host between ${per.from} and ${per.to} hosts (same inventory, same forks): heap still reachable at exit (after a full GC) ${per.heapAfterGcKb.toFixed(1)} KiB; median peak RSS ${per.peakRssKb.toFixed(1)} KiB (peak RSS moves by several MiB from run to run with when the GC ran).`,
        '',
      ]
    : []),
  `Every run checked: each host ran the command (rc 0). ${date}. Machine: ${bench.machine}. The simulated hosts' sshd run on the same CPUs as the controller.`,
  '',
].join('\n');
publish({ 'exec-latest.md': report, 'exec-latest.json': `${JSON.stringify(bench, null, 2)}\n` }, report);
