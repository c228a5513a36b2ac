// `exec -- true` on N simulated hosts (each with its own empty /root, so no login script skews
// it), three ways, each on the same fleet:
//   sls-play exec <inv> all -- true --forks F
//   the OpenSSH-process floor: xargs -P F ssh … true (one ssh process per host, nothing else)
//   ansible all -m raw -a true -f F (Debian's ansible-core)
// Reports wall time, the controller's CPU (user+sys of the contender's whole process tree) and
// its peak RSS, in total and per host, as a markdown table (stdout and bench/results/exec-latest.md).
//   node --import tsx bench/exec.ts [--hosts 20,1000] [--forks 200] [--runs 1] [--only sls-play,floor,ansible]
// Big fleets (1,000 hosts) need a quiet machine: the simulated hosts share its CPUs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFleet, type Fleet } from '../test/fleet/fleet.ts';
import { healthyProfiles } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import { machine, measure, median, mib, seconds, table, type Measured } from './measure.ts';

const { values } = parseArgs({
  options: {
    hosts: { type: 'string', default: '50' },
    forks: { type: 'string', default: '200' },
    runs: { type: 'string', default: '1' },
    only: { type: 'string', default: 'sls-play,floor,ansible' },
    'connect-timeout': { type: 'string', default: '60' },
  },
});
const sizes = values.hosts!.split(',').map(Number);
const runs = Number(values.runs);
const connectTimeoutS = values['connect-timeout']!;
const work = mkdtempSync(join(tmpdir(), 'sls-bench-exec-'));

interface Contender {
  name: string;
  label: (forks: number) => string;
  run(fleet: Fleet, forks: number): Promise<Measured>;
  /** hosts that ran `true`, from the contender's output */
  succeeded(run: Measured, fleet: Fleet): number;
}

const sshOptions = (fleet: Fleet) => [
  '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', `UserKnownHostsFile=${fleet.knownHostsPath}`, '-o', 'StrictHostKeyChecking=yes',
  '-o', `ConnectTimeout=${connectTimeoutS}`, '-o', 'LogLevel=ERROR', '-i', fleet.keyPath,
];

const contenders: Contender[] = [
  {
    name: 'sls-play',
    label: (forks) => `sls-play exec -- true (forks ${forks})`,
    run: (fleet, forks) =>
      measure(process.execPath, [CLI, 'exec', fleet.inventoryPath, 'all', '--known-hosts', fleet.knownHostsPath, '--forks', String(forks), '--connect-timeout', connectTimeoutS, '--json', '--', 'true'], {
        env: { ...process.env, CI: 'true' },
        cwd: REPO,
      }),
    succeeded: (run) => {
      const doc = JSON.parse(run.stdout || '{"hosts":{}}') as { hosts: Record<string, { steps: { rc?: number }[] }> };
      return Object.values(doc.hosts).filter((h) => h.steps[0]?.rc === 0).length;
    },
  },
  {
    name: 'floor',
    label: (forks) => `OpenSSH processes: xargs -P ${forks} ssh … true`,
    run: (fleet, forks) => {
      const list = join(work, 'hosts.txt');
      // one line per host: the arguments after ssh's options; each host echoes its name once done
      writeFileSync(list, fleet.hosts.map((h) => `-p ${h.port} root@${h.address} true&&echo ok\n`).join(''));
      return measure('xargs', ['-a', list, '-P', String(forks), '-L', '1', 'ssh', ...sshOptions(fleet)], { cwd: REPO });
    },
    succeeded: (run) => run.stdout.split('\n').filter((l) => l === 'ok').length,
  },
  {
    name: 'ansible',
    label: (forks) => `ansible all -m raw -a true -f ${forks}`,
    run: (fleet, forks) => {
      const home = join(work, 'ansible-home');
      mkdirSync(home, { recursive: true });
      return measure('ansible', ['all', '-i', fleet.inventoryPath, '-m', 'raw', '-a', 'true', '-f', String(forks), '-o'], {
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
      });
    },
    succeeded: (run) => run.stdout.split('\n').filter((l) => /\| CHANGED \| rc=0/.test(l)).length,
  },
];

const chosen = contenders.filter((c) => values.only!.split(',').includes(c.name));
const sections: string[] = [];
try {
  await measure(process.execPath, [CLI, '--help'], { cwd: REPO }); // the compiled CLI's cache, built once
  for (const hostCount of sizes) {
    const forks = Math.min(Number(values.forks), hostCount);
    const rows: string[][] = [];
    const fleet = await startFleet(healthyProfiles(hostCount, 'exec'));
    try {
      for (const contender of chosen) {
        const list: Measured[] = [];
        for (let i = 0; i < runs; i++) {
          const run = await contender.run(fleet, forks);
          const done = contender.succeeded(run, fleet);
          process.stderr.write(`${contender.name} on ${hostCount}: ${seconds(run.wallMs)} wall, ${seconds(run.cpuMs)} CPU, ${mib(run.treeRssKb)} peak RSS, ${done}/${hostCount} hosts\n`);
          if (done !== hostCount) throw new Error(`${contender.name}: only ${done}/${hostCount} hosts ran the command (exit ${run.code})\n${(run.stdout + run.stderr).slice(0, 3000)}`);
          list.push(run);
        }
        const wall = median(list.map((r) => r.wallMs));
        const cpu = median(list.map((r) => r.cpuMs));
        const rss = Math.max(...list.map((r) => r.treeRssKb));
        rows.push([contender.label(forks), seconds(wall), seconds(cpu), mib(rss), `${(cpu / hostCount).toFixed(1)} ms`, `${(rss / hostCount / 1024).toFixed(2)} MiB`]);
      }
    } finally {
      await fleet.stop();
    }
    sections.push(
      `### exec -- true on ${hostCount} simulated hosts`,
      '',
      table(['contender', `wall (median of ${runs})`, 'controller CPU (user+sys)', 'peak RSS (all its processes)', 'CPU per host', 'RSS per host'], rows),
      '',
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const report = [
  '## Ad hoc command on a fleet: sls-play, the OpenSSH-process floor, Ansible',
  '',
  ...sections,
  `Every run checked: each host ran the command (rc 0). Machine: ${machine()}. The simulated hosts' sshd run on the same CPUs as the controller.`,
  '',
].join('\n');
process.stdout.write(report);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/exec-latest.md', import.meta.url), report);
