// The OpenSSH client through the CLI, on real sshd hosts: a deploy over it gives the ssh2 client's
// --json (timings aside) with the same connections and commands in the hosts' sshd logs, auto picks
// it for GSSAPI and -v says why, a killed master leaves the host unreachable as a dropped ssh2
// connection does, and the API key never shows on a command line.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFleet, type Fleet, type FleetHost, type SshActivity } from '../fleet/fleet.ts';
import { MCS_CONFIG, OPERATOR_CONFIG } from '../fleet/profiles.ts';
import type { HostProfile } from '../fleet/types.ts';
import { runCli } from '../helpers/cli.ts';
import {
  API_KEY,
  deploy,
  MCS_URL,
  deployArgs,
  parseJson,
  restarting,
  spawnCli,
  waitUntil,
  type Deployed,
} from '../helpers/rollout.ts';

const SLOW_RESTART_MS = 2_500;
const profiles = (): HostProfile[] => [
  { name: 'web-01', version: '5.10.0.3', config: OPERATOR_CONFIG },
  { name: 'db-01', version: '5.11.0', config: MCS_CONFIG },
  { name: 'new-01', version: '5.5.2.22' },
  { name: 'edge-01', version: '5.9.1.7', versionFlag: false, config: OPERATOR_CONFIG },
  { name: 'pair-01', certPairs: [1], config: OPERATOR_CONFIG },
  { name: 'drop-01', config: OPERATOR_CONFIG, slowRestartMs: SLOW_RESTART_MS },
];
const MIXED = 'web-01,db-01,new-01,edge-01,pair-01';

let viaSsh2: Fleet;
let viaOpenSsh: Fleet;
const runs: Record<'ssh2' | 'openssh', { run?: Deployed; activity: Map<string, SshActivity> }> = {
  ssh2: { activity: new Map() },
  openssh: { activity: new Map() },
};
let commandLines: string[] = [];

const minus = (a: SshActivity, b: SshActivity): SshActivity => ({
  connections: a.connections - b.connections,
  commands: a.commands - b.commands,
});

/** Every command line on the machine, sampled until stopped. */
function watchCommandLines(): { stop: () => string[] } {
  const seen = new Set<string>();
  const sample = () => {
    const out = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout ?? '';
    for (const line of out.split('\n')) seen.add(line);
  };
  const timer = setInterval(sample, 30);
  sample();
  return {
    stop: () => {
      clearInterval(timer);
      return [...seen];
    },
  };
}

async function counted(fleet: Fleet, client: 'ssh2' | 'openssh'): Promise<void> {
  const before = new Map(fleet.hosts.map((h) => [h.name, h.sshActivity()]));
  runs[client].run = await deploy(fleet, ['-l', MIXED, '--ssh-client', client]);
  for (const h of fleet.hosts) runs[client].activity.set(h.name, minus(h.sshActivity(), before.get(h.name)!));
}

/** The --json document without what differs between two runs on two fleets: times, paths, addresses. */
function comparable(fleet: Fleet, text: string): unknown {
  const prefix = fleet.hosts[0]!.address.split('.').slice(0, 2).join('.');
  const plain = text
    .replaceAll(fleet.dir, '<fleet>')
    .replaceAll(fleet.inventoryPath, '<inventory>')
    .replaceAll(`${prefix}.`, '127.N.')
    .replace(/\.\d{8}-\d{6}\.bak/g, '.<time>.bak');
  return JSON.parse(plain, (key, value) =>
    ['startedAt', 'finishedAt', 'seconds', 'user', 'controller'].includes(key) ? undefined : value,
  );
}

before(async () => {
  [viaSsh2, viaOpenSsh] = await Promise.all([
    startFleet(profiles(), { subnet: 241 }),
    startFleet(profiles(), { subnet: 242 }),
  ]);
  await counted(viaSsh2, 'ssh2');
  const watch = watchCommandLines();
  await counted(viaOpenSsh, 'openssh');
  commandLines = watch.stop();
});

after(async () => {
  await Promise.all([viaSsh2?.stop(), viaOpenSsh?.stop()]);
});

function assertDone(fleet: Fleet, host: FleetHost): void {
  assert.ok(host.readConfig()?.includes(MCS_URL), `${host.name}: the config has the mcs output`);
  assert.equal(host.restartCount(), 1, `${host.name}: restarted once`);
  assert.equal(host.loadedConfig(), host.readConfig(), `${host.name}: the sensor runs the new config`);
  assert.ok(
    fleet.centralInbox().some((d) => d.host === host.name && d.apiKey === API_KEY),
    `${host.name}: Central received its test alert`,
  );
}

describe('a deploy over OpenSSH', () => {
  test('converges the mixed fleet and gives the same --json as ssh2, timings aside', () => {
    const ssh2 = runs.ssh2.run!;
    const openssh = runs.openssh.run!;
    assert.equal(ssh2.code, 0, ssh2.stderr);
    assert.equal(openssh.code, 0, openssh.stderr);
    for (const name of MIXED.split(',')) assertDone(viaOpenSsh, viaOpenSsh.host(name));
    assert.deepEqual(comparable(viaOpenSsh, openssh.stdout), comparable(viaSsh2, ssh2.stdout));
  });

  test('one connection per host and the same commands as ssh2, counted in the sshd logs', () => {
    for (const name of MIXED.split(',')) {
      const ssh2 = runs.ssh2.activity.get(name)!;
      const openssh = runs.openssh.activity.get(name)!;
      assert.equal(openssh.connections, 1, `${name}: one SSH connection`);
      assert.ok(openssh.commands >= 1, `${name}: commands counted`);
      assert.deepEqual(openssh, ssh2, `${name}: the same connections and commands as ssh2`);
    }
  });

  test('the API key goes over stdin: never on a command line, local or remote', () => {
    assert.ok(
      commandLines.some((line) => line.includes('ControlMaster=yes')),
      'the sampling saw the OpenSSH master',
    );
    assert.deepEqual(
      commandLines.filter((line) => line.includes(API_KEY)),
      [],
    );
  });
});

describe('auto', () => {
  test('GSSAPIAuthentication yes in the ssh config: OpenSSH, and -v says why once per host', async () => {
    const config = join(viaOpenSsh.dir, 'ssh_config_gssapi');
    writeFileSync(config, 'Host *\n  GSSAPIAuthentication yes\n');
    const run = await runCli(
      [
        'exec',
        viaOpenSsh.inventoryPath,
        'web-01,db-01',
        '--known-hosts',
        viaOpenSsh.knownHostsPath,
        '--ssh-config',
        config,
        '-v',
        '--',
        'echo hello',
      ],
      { env: { SLS_API_KEY: API_KEY } },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    for (const name of ['web-01', 'db-01']) {
      const said = run.stdout.split('\n').filter((line) => line.includes(`[${name}] ssh client:`));
      assert.deepEqual(said, [
        `  [${name}] ssh client: openssh (the ssh config sets GSSAPIAuthentication yes (Kerberos), which ssh2 cannot do)`,
      ]);
      assert.match(run.stdout, new RegExp(`\\[${name}\\] ssh -F \\S+\\.conf\\s+# .* then --ssh-config ${config}\\n`));
    }
    assert.match(run.stdout, /hello/);
  });

  test('without it, auto keeps ssh2; --ssh-client ssh2 with an ssh argument ssh2 cannot honour fails clearly', async () => {
    const exec = (...args: string[]) =>
      runCli(['exec', viaOpenSsh.inventoryPath, 'web-01', '--known-hosts', viaOpenSsh.knownHostsPath, ...args]);
    const plain = await exec('-v', '--', 'true');
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.match(
      plain.stdout,
      /\[web-01\] ssh client: ssh2 \(auto: nothing in the ssh config or ssh arguments needs OpenSSH\)/,
    );
    const forced = await exec(
      '-e',
      'ansible_ssh_extra_args="-o ForwardAgent=yes"',
      '--ssh-client',
      'ssh2',
      '--',
      'true',
    );
    assert.equal(forced.code, 2, forced.stdout + forced.stderr);
    assert.match(
      forced.stdout + forced.stderr,
      /web-01: the ssh2 client \(--ssh-client ssh2\) cannot honour these ssh arguments: -o ForwardAgent=yes; remove them or use --ssh-client openssh/,
    );
  });
});

describe('a lost connection', () => {
  test('killing the master mid-run leaves the host unreachable (exit 3), as a dropped ssh2 connection does', async () => {
    const outcome = async (fleet: Fleet, client: 'ssh2' | 'openssh') => {
      const host = fleet.host('drop-01');
      const cli = spawnCli(deployArgs(fleet, ['-l', 'drop-01', '--ssh-client', client]));
      await waitUntil('drop-01 to be restarting', () => restarting(host), 60_000).catch((error: Error) => {
        cli.child.kill('SIGKILL');
        throw new Error(`${client}: ${error.message}\n${cli.stdout()}\n${cli.stderr()}`);
      });
      if (client === 'ssh2') assert.ok(host.dropSessions() >= 1, 'a session was dropped');
      else {
        const master = spawnSync('pgrep', ['-f', `ControlMaster=yes.* -- ${host.address}$`], { encoding: 'utf8' });
        const pids = master.stdout.trim().split('\n').filter(Boolean);
        assert.equal(pids.length, 1, `one master for drop-01: ${master.stdout}`);
        process.kill(Number(pids[0]), 'SIGKILL');
      }
      const exit = await cli.exited;
      const json = parseJson({ code: exit.code ?? -1, stdout: cli.stdout(), stderr: cli.stderr() });
      return {
        code: exit.code,
        status: json.hosts['drop-01']!.status,
        steps: json.hosts['drop-01']!.steps,
        stderr: cli.stderr(),
      };
    };
    const [ssh2, openssh] = await Promise.all([outcome(viaSsh2, 'ssh2'), outcome(viaOpenSsh, 'openssh')]);
    assert.equal(ssh2.code, 3, ssh2.stderr);
    assert.equal(openssh.code, 3, openssh.stderr);
    assert.equal(openssh.status, 'unreachable');
    assert.equal(openssh.status, ssh2.status);
    const lost = openssh.steps.find((s) => s.status === 'unreachable');
    assert.match(lost?.message ?? '', /lost \(the master connection ended\) while running/);
    assert.deepEqual(
      openssh.steps.map((s) => [s.name, s.status]),
      ssh2.steps.map((s) => [s.name, s.status]),
    );
  });
});
