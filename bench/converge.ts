// Converging N fresh simulated hosts (SLS alert export to Sophos Central), three ways, each on a
// fleet of its own so every contender starts from unconverged hosts:
//   sls-play deploy · the plain-OpenSSH floor (bench/floor.ts, two ssh round trips per host) ·
//   ansible-playbook (Debian's ansible-core, pipelining on) with bench/ansible/sls-central.yml.
// Each run is checked afterwards: every host's config has the mcs output, the sensor restarted
// once and loaded it, and Central received one test alert per host.
//   node --import tsx bench/converge.ts [--hosts 50,200] [--runs 1] [--only sls-play,floor,ansible]
// The floor does the same work on each host as the others (read, write with backup, restart,
// is-active, test alert, journal check), in the fewest round trips plain OpenSSH allows.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { resolveMcsUrl } from '../src/sls/regions.ts';
import { testAlertScript } from '../src/sls/test-alert.ts';
import { startFleet, type Fleet } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import type { FloorSpec } from './floor.ts';
import { machine, measure, median, mib, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '50,200' },
    runs: { type: 'string', default: '1' },
    only: { type: 'string', default: 'sls-play,floor,ansible' },
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

type Contender = { name: string; label: () => string; run(fleet: Fleet): Promise<Measured> };

const contenders: Contender[] = [
  {
    name: 'sls-play',
    label: () => `sls-play deploy (forks ${forks})`,
    run: (fleet) =>
      measure(
        process.execPath,
        [CLI, 'deploy', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-e', `sls_region=${REGION}`, '--forks', String(forks), '--connect-timeout', String(CONNECT_TIMEOUT_S)],
        { env: { ...process.env, CI: 'true', SLS_API_KEY: API_KEY }, cwd: REPO },
      ),
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
      return measure('ansible-playbook', ['-i', fleet.inventoryPath, '-e', `@${vars}`, join(REPO, 'bench', 'ansible', 'sls-central.yml')], {
        cwd: REPO,
        env: {
          ...process.env,
          ANSIBLE_PIPELINING: 'True',
          ANSIBLE_FORKS: String(forks),
          ANSIBLE_HOST_KEY_CHECKING: 'True',
          ANSIBLE_TIMEOUT: String(CONNECT_TIMEOUT_S),
          // Ansible's default ssh arguments, plus the fleet's known_hosts
          ANSIBLE_SSH_ARGS: `-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=${fleet.knownHostsPath} -o StrictHostKeyChecking=yes`,
          ANSIBLE_SSH_CONTROL_PATH_DIR: join(home, 'cp'),
          ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
          ANSIBLE_RETRY_FILES_ENABLED: 'False',
          ANSIBLE_NOCOLOR: 'True',
        },
      });
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
    const config = text === null ? null : (YAML.parse(text) as { alert_output?: { outputs?: Record<string, unknown>[] } });
    const outputs = config?.alert_output?.outputs ?? [];
    const mcs = outputs.filter((o) => o.type === 'mcs');
    if (mcs.length !== 1 || mcs[0]!.url !== MCS_URL || mcs[0]!.api_key !== API_KEY || mcs[0]!.enabled !== true) problems.push(`${host.name}: config has no (single) mcs output to ${MCS_URL}`);
    if (!outputs.some((o) => o.type === 'stdout') || !outputs.some((o) => o.type === 'file')) problems.push(`${host.name}: the operator's outputs were lost`);
    if (host.configMode() !== 0o600) problems.push(`${host.name}: config mode ${host.configMode()?.toString(8)}`);
    // sls-play and the floor: .<date>-<time>.bak; Ansible: .<pid>.<date>@<time>~
    if (!host.listSophosDir().some((f) => BACKUP.test(f))) problems.push(`${host.name}: no backup of the previous config`);
    if (host.restartCount() !== 1) problems.push(`${host.name}: ${host.restartCount()} restarts`);
    if (host.serviceState() !== 'active' || !host.loadedConfig()?.includes(API_KEY)) problems.push(`${host.name}: the running sensor did not load the new config`);
  }
  const inbox = fleet.centralInbox();
  const alerted = new Set(inbox.filter((d) => d.url === MCS_URL && d.apiKey === API_KEY).map((d) => d.host));
  if (inbox.length !== fleet.hosts.length || alerted.size !== fleet.hosts.length) problems.push(`Central received ${inbox.length} alerts from ${alerted.size}/${fleet.hosts.length} hosts`);
  return problems;
}

const chosen = contenders.filter((c) => values.only!.split(',').includes(c.name));

/** Every chosen contender on fresh fleets of `size` hosts, `runs` times; one markdown section. */
async function benchSize(size: number): Promise<string[]> {
  hostCount = size;
  forks = size;
  const results = new Map<string, Measured[]>();
  const failures = new Map<string, string>();
  for (let round = 0; round < runs; round++) {
    for (const contender of chosen) {
      const fleet = await startFleet(healthyProfiles(hostCount, 'bench'));
      try {
        const run = await contender.run(fleet);
        const problems = verify(fleet, run);
        process.stderr.write(`${contender.name} on ${size}: ${seconds(run.wallMs)} wall, ${seconds(run.cpuMs)} CPU, ${mib(run.maxRssKb)} largest process, ${mib(run.treeRssKb)} all processes\n`);
        if (problems.length > 0) {
          // a run that did not do the whole job has no time worth reporting
          failures.set(contender.name, `${problems.length} problems, e.g. ${problems.slice(0, 3).join('; ')}`);
          process.stderr.write(`${contender.name} did not converge the fleet:\n  ${problems.slice(0, 10).join('\n  ')}\n--- its output (start):\n${(run.stdout + run.stderr).slice(0, 4000)}\n`);
        } else {
          results.set(contender.name, [...(results.get(contender.name) ?? []), run]);
        }
      } finally {
        await fleet.stop();
      }
    }
  }
  const wall = (name: string) => median((results.get(name) ?? []).map((r) => r.wallMs));
  const rows = chosen.map((c) => {
    const list = results.get(c.name);
    if (!list) return [c.label(), `DID NOT CONVERGE: ${failures.get(c.name)}`, '', '', '', ''];
    const cpu = median(list.map((r) => r.cpuMs));
    return [
      c.label(),
      seconds(wall(c.name)),
      seconds(cpu),
      `${(cpu / size).toFixed(1)} ms`,
      mib(Math.max(...list.map((r) => r.maxRssKb))),
      mib(Math.max(...list.map((r) => r.treeRssKb))),
    ];
  });
  const ratio = (a: string, b: string) => (results.has(a) && results.has(b) ? `${(wall(a) / wall(b)).toFixed(2)}×` : 'n/a');
  return [
    `## Converging ${size} fresh simulated hosts`,
    '',
    table(['contender', `wall (median of ${runs})`, 'CPU user+sys (controller side)', 'CPU per host', 'peak RSS, largest process', 'peak RSS, all its processes'], rows),
    '',
    `- sls-play / floor: ${ratio('sls-play', 'floor')} (target ≤ 1.5×)`,
    `- ansible / sls-play: ${ratio('ansible', 'sls-play')} (target ≥ 5×)`,
    '',
  ];
}

const sections: string[] = [];
try {
  // warm the compiled CLI's cache and tsx's (the floor starts through it)
  await measure(process.execPath, [CLI, '--help'], { cwd: REPO });
  for (const size of sizes) sections.push(...(await benchSize(size)));
} finally {
  rmSync(work, { recursive: true, force: true });
}
const report = [
  ...sections,
  `Every run verified: each host's config holds one enabled mcs output (${MCS_URL}) beside the operator's outputs, mode 0600, a backup, one restart with the new config loaded, and Central received one test alert per host.`,
  `Machine: ${machine()}. CPU is the contender's own processes (the controller side); the simulated hosts' sshd and sensor run on the same CPUs.`,
  '',
].join('\n');
process.stdout.write(report);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.md', import.meta.url), report);
