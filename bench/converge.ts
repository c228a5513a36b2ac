// Converging N fresh simulated hosts (SLS alert export to Sophos Central), four ways, each on a
// fleet of its own so every contender starts from unconverged hosts:
//   sls-play deploy (ssh2, and its OpenSSH client: --ssh-client openssh) · the plain-OpenSSH floor
//   (bench/floor.ts, two ssh round trips per host) ·
//   ansible-playbook (Debian's ansible-core, pipelining on) with bench/ansible/sls-central.yml.
// Each run is checked afterwards: every host's config has the mcs output, the sensor restarted
// once and loaded it, and Central received one test alert per host. Then each contender runs once
// more on its converged fleet (that run must change nothing). For both runs the remote work per
// host is counted in the hosts' sshd logs (LogLevel VERBOSE): connections ("Accepted publickey")
// and commands ("Starting session: command"); on a WAN each command is a round trip.
// Markdown on stdout and in bench/results/latest.md, figures in bench/results/converge-latest.json.
//   node --import tsx bench/converge.ts [--hosts 50,200] [--runs 1] [--only sls-play,sls-play-openssh,floor,ansible] [--subnet 201]
// The floor does the same work on each host as the others (read, write with backup, restart,
// is-active, test alert, journal check), in the fewest round trips plain OpenSSH allows.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { resolveMcsUrl } from '../src/sls/regions.ts';
import { testAlertScript } from '../src/sls/test-alert.ts';
import { startFleet, type Fleet, type SshActivity } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import type { FloorSpec } from './floor.ts';
import { loadNow, machine, measure, median, mib, publish, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '50,200' },
    runs: { type: 'string', default: '1' },
    only: { type: 'string', default: 'sls-play,sls-play-openssh,floor,ansible' },
    // bench fleets use 127.200-215.x.y while the e2e tests own lower ranges
    subnet: { type: 'string', default: '201' },
  },
});
const sizes = values.hosts!.split(',').map(Number);
const runs = Number(values.runs);
let hostCount = sizes[0]!;
let forks = hostCount;
const REGION = 'eu-west-1';
// the same for every contender; generous, since the simulated hosts share the controller's CPUs
const CONNECT_TIMEOUT_S = 30;
const MCS_URL = resolveMcsUrl({ region: REGION });
const API_KEY = 'bench-tenant-token-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'sls-bench-converge-'));

let ansibleRuns = 0;

type Contender = { name: string; label: () => string; run(fleet: Fleet): Promise<Measured> };

/** sls-play deploy on the fleet; `extra` picks the SSH client for the OpenSSH row. */
const slsPlay = (fleet: Fleet, extra: string[] = []): Promise<Measured> =>
  measure(
    process.execPath,
    [
      CLI,
      'deploy',
      fleet.inventoryPath,
      '--known-hosts',
      fleet.knownHostsPath,
      '-e',
      `sls_region=${REGION}`,
      '--forks',
      String(forks),
      '--connect-timeout',
      String(CONNECT_TIMEOUT_S),
      ...extra,
    ],
    { env: { ...process.env, CI: 'true', SLS_API_KEY: API_KEY }, cwd: REPO },
  );

const contenders: Contender[] = [
  {
    name: 'sls-play',
    label: () => `sls-play deploy (forks ${forks})`,
    run: (fleet) => slsPlay(fleet),
  },
  {
    name: 'sls-play-openssh',
    label: () => `sls-play deploy, OpenSSH client (forks ${forks})`,
    run: (fleet) => slsPlay(fleet, ['--ssh-client', 'openssh']),
  },
  {
    name: 'floor',
    label: () => `plain OpenSSH, 2 round trips per host (forks ${forks})`,
    run: (fleet) => {
      const spec: FloorSpec = {
        hosts: fleet.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port })),
        keyPath: fleet.keyPath,
        knownHostsPath: fleet.knownHostsPath,
        url: MCS_URL,
        apiKey: API_KEY,
        forks,
        minVersion: '5.5.2.22',
        connectTimeoutS: CONNECT_TIMEOUT_S,
      };
      const file = join(work, 'floor.json');
      writeFileSync(file, JSON.stringify(spec));
      return measure(process.execPath, ['--import', 'tsx', join(REPO, 'bench', 'floor.ts'), file], { cwd: REPO });
    },
  },
  {
    name: 'ansible',
    label: () => `ansible-playbook, pipelining (forks ${forks})`,
    run: (fleet) => {
      const vars = join(work, 'ansible-vars.json');
      writeFileSync(
        vars,
        JSON.stringify({
          sls_mcs_url: MCS_URL,
          sls_api_key: API_KEY,
          test_alert_script: testAlertScript({ execPrefix: '', testTimeoutS: 30 }, true),
          ansible_python_interpreter: '/usr/bin/python3',
        }),
      );
      const home = join(work, 'ansible-home');
      mkdirSync(home, { recursive: true });
      return measure(
        'ansible-playbook',
        ['-i', fleet.inventoryPath, '-e', `@${vars}`, join(REPO, 'bench', 'ansible', 'sls-central.yml')],
        {
          cwd: REPO,
          env: {
            ...process.env,
            ANSIBLE_PIPELINING: 'True',
            ANSIBLE_FORKS: String(forks),
            ANSIBLE_HOST_KEY_CHECKING: 'True',
            ANSIBLE_TIMEOUT: String(CONNECT_TIMEOUT_S),
            // Ansible's default ssh arguments, plus the fleet's known_hosts
            ANSIBLE_SSH_ARGS: `-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fleet.knownHostsPath} -o StrictHostKeyChecking=yes`,
            // a control socket of its own per run: a second run must connect as a first one does
            ANSIBLE_SSH_CONTROL_PATH_DIR: join(home, `cp${++ansibleRuns}`),
            ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
            ANSIBLE_RETRY_FILES_ENABLED: 'False',
            ANSIBLE_NOCOLOR: 'True',
          },
        },
      );
    },
  },
];

const BACKUP = /^runtimedetections\.yaml\.(\d{8}-\d{6}\.bak|\d+\.\d{4}-\d\d-\d\d@[\d:]+~)$/;

/** Proves the contender did the whole job on every host: what is missing, empty when all is done. */
function verify(fleet: Fleet, run: Measured): string[] {
  const problems: string[] = [];
  if (run.code !== 0) problems.push(`exit ${run.code}`);
  for (const host of fleet.hosts) {
    const text = host.readConfig();
    const config =
      text === null ? null : (YAML.parse(text) as { alert_output?: { outputs?: Record<string, unknown>[] } });
    const outputs = config?.alert_output?.outputs ?? [];
    const mcs = outputs.filter((o) => o.type === 'mcs');
    if (mcs.length !== 1 || mcs[0]!.url !== MCS_URL || mcs[0]!.api_key !== API_KEY || mcs[0]!.enabled !== true)
      problems.push(`${host.name}: config has no (single) mcs output to ${MCS_URL}`);
    if (!outputs.some((o) => o.type === 'stdout') || !outputs.some((o) => o.type === 'file'))
      problems.push(`${host.name}: the operator's outputs were lost`);
    if (host.configMode() !== 0o600) problems.push(`${host.name}: config mode ${host.configMode()?.toString(8)}`);
    // sls-play and the floor: .<date>-<time>.bak; Ansible: .<pid>.<date>@<time>~
    if (!host.listSophosDir().some((f) => BACKUP.test(f)))
      problems.push(`${host.name}: no backup of the previous config`);
    if (host.restartCount() !== 1) problems.push(`${host.name}: ${host.restartCount()} restarts`);
    if (host.serviceState() !== 'active' || !host.loadedConfig()?.includes(API_KEY))
      problems.push(`${host.name}: the running sensor did not load the new config`);
  }
  const inbox = fleet.centralInbox();
  const alerted = new Set(inbox.filter((d) => d.url === MCS_URL && d.apiKey === API_KEY).map((d) => d.host));
  if (inbox.length !== fleet.hosts.length || alerted.size !== fleet.hosts.length)
    problems.push(`Central received ${inbox.length} alerts from ${alerted.size}/${fleet.hosts.length} hosts`);
  return problems;
}

const chosen = contenders.filter((c) => values.only!.split(',').includes(c.name));

/** Connections and commands per host a run took, from the growth of each host's sshd log. */
interface RoundTrips {
  connections: number;
  commands: number;
  /** the most commands any one host took */
  maxCommands: number;
}

async function counted<T>(fleet: Fleet, work: () => Promise<T>): Promise<{ result: T; trips: RoundTrips }> {
  const before = fleet.hosts.map((h) => h.sshActivity());
  const result = await work();
  const per: SshActivity[] = fleet.hosts.map((h, i) => {
    const now = h.sshActivity();
    return { connections: now.connections - before[i]!.connections, commands: now.commands - before[i]!.commands };
  });
  const n = per.length;
  return {
    result,
    trips: {
      connections: per.reduce((a, p) => a + p.connections, 0) / n,
      commands: per.reduce((a, p) => a + p.commands, 0) / n,
      maxCommands: Math.max(...per.map((p) => p.commands)),
    },
  };
}

/** One contender at one size, its runs summed up. */
export interface ConvergeFigures {
  contender: string;
  hosts: number;
  runs: number;
  wallMs?: number;
  cpuMs?: number;
  maxRssKb?: number;
  treeRssKb?: number;
  fresh?: RoundTrips;
  converged?: RoundTrips;
  /** why there are no figures: the run did not do the whole job */
  failure?: string;
  loads: number[];
}

/** Every chosen contender on fresh fleets of `size` hosts, `runs` times; one markdown section. */
async function benchSize(size: number, figures: ConvergeFigures[]): Promise<string[]> {
  hostCount = size;
  forks = size;
  const results = new Map<string, Measured[]>();
  const trips = new Map<string, { fresh: RoundTrips; converged: RoundTrips }>();
  const failures = new Map<string, string>();
  const loads = new Map<string, number[]>();
  for (let round = 0; round < runs; round++) {
    for (const contender of chosen) {
      const fleet = await startFleet(healthyProfiles(hostCount, 'bench'), { subnet: Number(values.subnet) });
      try {
        const load = loadNow();
        loads.set(contender.name, [...(loads.get(contender.name) ?? []), load]);
        const fresh = await counted(fleet, () => contender.run(fleet));
        const run = fresh.result;
        const problems = verify(fleet, run);
        process.stderr.write(
          `${contender.name} on ${size} (load ${load}): ${seconds(run.wallMs)} wall, ${seconds(run.cpuMs)} CPU, ${mib(run.maxRssKb)} largest process, ${mib(run.treeRssKb)} all processes; per host ${fresh.trips.connections} connections, ${fresh.trips.commands} commands\n`,
        );
        if (problems.length > 0) {
          // a run that did not do the whole job has no time worth reporting
          failures.set(contender.name, `${problems.length} problems, e.g. ${problems.slice(0, 3).join('; ')}`);
          process.stderr.write(
            `${contender.name} did not converge the fleet:\n  ${problems.slice(0, 10).join('\n  ')}\n--- its output (start):\n${(run.stdout + run.stderr).slice(0, 4000)}\n`,
          );
          continue;
        }
        results.set(contender.name, [...(results.get(contender.name) ?? []), run]);
        if (round > 0) continue;
        // once more on the converged fleet: nothing may change, and it should cost little
        const again = await counted(fleet, () => contender.run(fleet));
        const restarted = fleet.hosts.filter((h) => h.restartCount() !== 1).map((h) => h.name);
        if (again.result.code !== 0 || restarted.length > 0) {
          failures.set(
            contender.name,
            `the second run on converged hosts: exit ${again.result.code}, restarted again: ${restarted.slice(0, 5).join(', ') || 'none'}`,
          );
          continue;
        }
        process.stderr.write(
          `${contender.name} on ${size}, converged: ${seconds(again.result.wallMs)} wall; per host ${again.trips.connections} connections, ${again.trips.commands} commands\n`,
        );
        trips.set(contender.name, { fresh: fresh.trips, converged: again.trips });
      } finally {
        await fleet.stop();
      }
    }
  }
  const wall = (name: string) => median((results.get(name) ?? []).map((r) => r.wallMs));
  for (const c of chosen) {
    const list = results.get(c.name);
    const base = { contender: c.name, hosts: size, runs, loads: loads.get(c.name) ?? [] };
    if (!list || failures.has(c.name)) {
      figures.push({ ...base, failure: failures.get(c.name) ?? 'no run' });
      continue;
    }
    figures.push({
      ...base,
      wallMs: wall(c.name),
      cpuMs: median(list.map((r) => r.cpuMs)),
      maxRssKb: Math.max(...list.map((r) => r.maxRssKb)),
      treeRssKb: Math.max(...list.map((r) => r.treeRssKb)),
      ...trips.get(c.name),
    });
  }
  const mine = figures.filter((f) => f.hosts === size);
  const rows = mine.map((f) => {
    const label = chosen.find((c) => c.name === f.contender)!.label();
    if (f.failure) return [label, `DID NOT CONVERGE: ${f.failure}`, '', '', '', '', ''];
    return [
      label,
      seconds(f.wallMs!),
      seconds(f.cpuMs!),
      `${(f.cpuMs! / size).toFixed(1)} ms`,
      mib(f.maxRssKb!),
      mib(f.treeRssKb!),
      f.loads.join(', '),
    ];
  });
  const tripRows = mine
    .filter((f) => f.fresh && f.converged)
    .map((f) => [
      chosen.find((c) => c.name === f.contender)!.label(),
      `${f.fresh!.connections}`,
      `${f.fresh!.commands} (max ${f.fresh!.maxCommands})`,
      `${f.converged!.connections}`,
      `${f.converged!.commands} (max ${f.converged!.maxCommands})`,
    ]);
  const ok = (name: string) => mine.some((f) => f.contender === name && !f.failure);
  const ratio = (a: string, b: string) => (ok(a) && ok(b) ? `${(wall(a) / wall(b)).toFixed(2)}×` : 'n/a');
  return [
    `## Converging ${size} fresh simulated hosts`,
    '',
    table(
      [
        'contender',
        `wall (median of ${runs})`,
        'CPU user+sys (controller side)',
        'CPU per host',
        'peak RSS, largest process',
        'peak RSS, all its processes',
        'load before each run',
      ],
      rows,
    ),
    '',
    `- sls-play / floor: ${ratio('sls-play', 'floor')} (goal ≤ 0.5×)`,
    `- ansible / sls-play: ${ratio('ansible', 'sls-play')} (goal ≥ 10×)`,
    '',
    `### Remote work per host, from the hosts' sshd logs`,
    '',
    table(
      ['contender', 'fresh: connections', 'fresh: commands', 'converged: connections', 'converged: commands'],
      tripRows,
    ),
    '',
  ];
}

const sections: string[] = [];
const figures: ConvergeFigures[] = [];
const date = new Date().toISOString();
try {
  // warm the compiled CLI's cache and tsx's (the floor starts through it)
  await measure(process.execPath, [CLI, '--help'], { cwd: REPO });
  for (const size of sizes) sections.push(...(await benchSize(size, figures)));
} finally {
  rmSync(work, { recursive: true, force: true });
}
const report = [
  ...sections,
  `Every run verified: each host's config holds one enabled mcs output (${MCS_URL}) beside the operator's outputs, mode 0600, a backup, one restart with the new config loaded, and Central received one test alert per host; the second run restarted nothing.`,
  `${date}. Machine: ${machine()}. CPU is the contender's own processes (the controller side); the simulated hosts' sshd and sensor run on the same CPUs.`,
  '',
].join('\n');
publish(
  {
    'latest.md': report,
    'converge-latest.json': `${JSON.stringify({ date, machine: machine(), figures }, null, 2)}\n`,
  },
  report,
);
