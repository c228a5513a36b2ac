// ProxyCommand as cloud tunnels use it (AWS SSM, GCP IAP, cloudflared): every connection goes
// through a small stdio <-> TCP relay that connects from an address of its own. The hosts let in
// only that address, so a host answering at all proves the relay carried the connection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FleetHost } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { REPO, runCli, execWithSshConfig } from '../helpers/cli.ts';
import { connect, resolveConnectOptions } from '../../src/transport/index.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startNetns, startSshd } from '../helpers/sshd.ts';
import type { AddressBlock, TestNetns, TestSshd } from '../helpers/sshd.ts';

const API_KEY = 'e2e-sshconf-proxy-key-51c7';
// outside every fleet's 127.N range (N ≤ 251) and the transport tests' 127.0.N blocks
const RELAY_SOURCE = '127.253.163.1';
const RELAY = join(REPO, 'test', 'helpers', 'stdio-relay.mjs');

const fleet = useFleet([
  { name: 'pc-01', config: OPERATOR_CONFIG, allowFrom: RELAY_SOURCE },
  { name: 'pc-02', config: OPERATOR_CONFIG, allowFrom: RELAY_SOURCE },
]);
let work: string;
let relayLog: string;
let flag: string;

type Doc = {
  hosts: Record<
    string,
    { status: string; steps: { name: string; status: string; message: string; stdout?: string }[] }
  >;
};

before(() => {
  work = mkdtempSync(join(tmpdir(), 'sshconf-proxy-'));
  relayLog = join(work, 'relay.log');
  flag = join(work, 'use-the-tunnel');
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const relayCommand = (log = relayLog) => `${process.execPath} ${RELAY} %h %p ${log} ${RELAY_SOURCE}`;
const relayed = (log = relayLog): Array<{ host: string; port: number; pid: number; sawApiKey: boolean }> => {
  try {
    return readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { host: string; port: number; pid: number; sawApiKey: boolean });
  } catch {
    return [];
  }
};
const sshdLog = (host: FleetHost) => readFileSync(join(host.root, 'sshd', 'sshd.log'), 'utf8');
const acceptedFrom = (host: FleetHost) =>
  [...sshdLog(host).matchAll(/^Accepted \S+ for \S+ from (\S+)/gm)].map((m) => m[1]);
const relaysRunning = (log: string) => {
  try {
    return execFileSync('pgrep', ['-f', log]).toString().trim().split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep: nothing matched
  }
};

/** Names only in the inventory; HostName, Port and the tunnel come from the ssh config. */
function writeSetup(proxyLines: string): { inventory: string; config: string } {
  const inventory = join(work, 'hosts.ini');
  writeFileSync(inventory, `[sensors]\npc-01\npc-02\n`);
  const config = join(work, `ssh_config_${Math.random().toString(36).slice(2, 8)}`);
  const hosts = fleet.hosts.map((h) => `Host ${h.name}\n    HostName ${h.address}\n    Port ${h.port}\n`).join('');
  writeFileSync(
    config,
    `${hosts}${proxyLines}
Host pc-*
    User root
    IdentityFile ${fleet.keyPath}
    UserKnownHostsFile ${fleet.knownHostsPath}
`,
  );
  return { inventory, config };
}

// The tunnel is chosen by Match exec: only while the flag file exists, as a VPN-or-tunnel switch
const TUNNEL_BY_MATCH_EXEC = () =>
  `Match originalhost pc-* exec "test -e ${flag}"\n    ProxyCommand ${relayCommand()}\n`;

test('the control: with Match exec false there is no ProxyCommand, and the hosts refuse the CLI itself', async () => {
  rmSync(flag, { force: true });
  const { inventory, config } = writeSetup(TUNNEL_BY_MATCH_EXEC());
  const run = await execWithSshConfig({ inventory, pattern: 'all', config }, ['--retries', '0', '--json'], ['true']);
  assert.equal(run.code, 3, run.stdout + run.stderr);
  assert.deepEqual(relayed(), [], 'the relay never ran');
  for (const host of fleet.hosts) assert.ok(acceptedFrom(host).length === 0, `${host.name} let nobody in`);
});

test('ProxyCommand through a stdio relay: %h and %p expanded, every connection carried by it; exec and deploy', async () => {
  writeFileSync(flag, '');
  const { inventory, config } = writeSetup(TUNNEL_BY_MATCH_EXEC());
  const run = await execWithSshConfig(
    { inventory, pattern: 'all', config },
    ['--json'],
    ['hostname; echo "$SSH_CONNECTION"'],
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  for (const host of fleet.hosts) {
    const [name, connection] = doc.hosts[host.name]!.steps[0]!.stdout!.trim().split('\n');
    assert.equal(name, host.name);
    // client address, then server address and port, as the host's sshd saw them
    const [client, , server, serverPort] = connection!.split(' ');
    assert.equal(client, RELAY_SOURCE);
    assert.equal(`${server}:${serverPort}`, `${host.address}:${host.port}`);
  }
  // one relay per host, each given that host's HostName and Port for %h and %p
  assert.deepEqual(
    relayed()
      .map((r) => `${r.host}:${r.port}`)
      .sort(),
    fleet.hosts.map((h) => `${h.address}:${h.port}`).sort(),
  );

  const deploy = await runCli(['deploy', inventory, '--ssh-config', config, '-e', 'sls_region=Germany', '--json'], {
    env: { SLS_API_KEY: API_KEY },
  });
  assert.equal(deploy.code, 0, deploy.stdout + deploy.stderr);
  for (const host of fleet.hosts) {
    assert.match(host.readConfig()!, /mcs2-cloudstation-eu-central-1/);
    assert.equal((JSON.parse(deploy.stdout) as Doc).hosts[host.name]!.status, 'changed');
  }
  assert.deepEqual(
    fleet
      .centralInbox()
      .map((d) => d.host)
      .sort(),
    ['pc-01', 'pc-02'],
    'the test alert of each host reached Central',
  );
  assert.ok(!(deploy.stdout + deploy.stderr).includes(API_KEY));
  assert.ok(
    relayed().every((r) => !r.sawApiKey),
    "the tunnel command does not get sls-play's API key in its environment",
  );

  // every login either host ever accepted came through the relay, one relay run per login
  const logins = fleet.hosts.flatMap(acceptedFrom);
  assert.ok(logins.length >= 4, `two runs, two hosts: ${logins.length} logins`);
  assert.deepEqual(new Set(logins), new Set([RELAY_SOURCE]));
  assert.equal(relayed().length, logins.length);
  assert.equal(relaysRunning(relayLog), 0, 'each relay ended with its connection');
});

test('a ProxyCommand that fails before SSH starts: the host is unreachable with its message, exit 3', async () => {
  const { inventory, config } = writeSetup(
    `Host pc-01\n    ProxyCommand sh -c 'echo "tunnel: no session for target %h" >&2; exit 1'\n`,
  );
  const run = await runCli(['exec', inventory, 'pc-01', '--ssh-config', config, '--json', '--', 'true']);
  assert.equal(run.code, 3, run.stdout + run.stderr);
  const host = (JSON.parse(run.stdout) as Doc).hosts['pc-01']!;
  assert.equal(host.status, 'unreachable');
  const message = host.steps.at(-1)!.message;
  assert.match(
    message,
    new RegExp(
      `exited with status 1 before SSH started: tunnel: no session for target ${fleet.host('pc-01').address.replace(/\./g, '\\.')}`,
    ),
  );
  assert.doesNotMatch(message, /attempts/, 'not retried as a network error would be');
});

test('the system-wide ssh config (SLS_PLAY_SYSTEM_SSH_CONFIG standing in for /etc/ssh/ssh_config) is read after ~/.ssh/config; --ssh-config replaces both', async () => {
  const home = join(work, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const { inventory, config } = writeSetup('');
  // the user's file names the hosts; the tunnel is company policy, in the system file
  writeFileSync(join(home, '.ssh', 'config'), readFileSync(config, 'utf8'));
  const systemLog = join(work, 'relay-system.log');
  const system = join(work, 'ssh_config_system');
  writeFileSync(system, `Host pc-*\n    User nobody\n    ProxyCommand ${relayCommand(systemLog)}\n`);
  const env = { HOME: home, SLS_PLAY_SYSTEM_SSH_CONFIG: system };

  const shown = await runCli(['inventory', inventory, '--host', 'pc-02', '--connection'], { env });
  assert.equal(shown.code, 0, shown.stderr);
  const pc02 = fleet.host('pc-02');
  assert.equal(
    (JSON.parse(shown.stdout) as { proxyCommand?: string }).proxyCommand,
    `${process.execPath} ${RELAY} ${pc02.address} ${pc02.port} ${systemLog} ${RELAY_SOURCE}`,
    'inventory --connection shows the ProxyCommand, tokens expanded',
  );
  const both = await runCli(['exec', inventory, 'pc-02', '--json', '--', 'id -un'], { env });
  assert.equal(both.code, 0, both.stdout + both.stderr);
  assert.equal((JSON.parse(both.stdout) as Doc).hosts['pc-02']!.steps[0]!.stdout, 'root\n', "the user's User wins");
  assert.equal(relayed(systemLog).length, 1, 'the system file gave the tunnel');

  const replaced = await runCli(
    [
      'exec',
      inventory,
      'pc-02',
      '--ssh-config',
      join(home, '.ssh', 'config'),
      '--retries',
      '0',
      '--json',
      '--',
      'true',
    ],
    { env },
  );
  assert.equal(replaced.code, 3, 'without the system file there is no tunnel, and the host refuses the CLI');
  assert.equal(relayed(systemLog).length, 1);
});

let block: AddressBlock | undefined;
let netns: TestNetns | undefined;
const servers: TestSshd[] = [];

after(async () => {
  for (const server of servers) await server.stop();
  await netns?.stop();
  block?.release();
});

test('ProxyJump through a bastion reached by a ProxyCommand: the bastion takes its own config', async () => {
  block = reserveAddressBlock();
  const bastionAddress = `${block.prefix}.10`;
  const targetAddress = `${block.prefix}.20`;
  const dir = await makeTempDir('sshconf-jump-');
  try {
    const key = join(dir, 'client');
    const publicKey = await generateKey(key);
    // the target lives in a network of its own that only the bastion stands in
    netns = await startNetns(bastionAddress);
    const target = await startSshd({
      dir,
      address: targetAddress,
      authorizedKeys: [publicKey],
      netnsPid: netns.pid,
      extraConfig: `AllowUsers root@${bastionAddress}`,
    });
    servers.push(target);
    const bastion = await startSshd({
      dir,
      address: bastionAddress,
      authorizedKeys: [publicKey],
      netnsPid: netns.pid,
      inetd: true,
    });
    servers.push(bastion);
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, bastion.knownHostsLine() + target.knownHostsLine());
    const log = join(dir, 'relay.log');
    const config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      `Host gate
    HostName ${bastionAddress}
    Port ${bastion.port}
    ProxyCommand ${relayCommand(log)}
Host deep
    HostName ${targetAddress}
    Port ${target.port}
    ProxyJump gate
Host *
    User root
    IdentityFile ${key}
    UserKnownHostsFile ${knownHosts}
`,
    );
    const inventory = join(dir, 'hosts.ini');
    writeFileSync(inventory, '[all]\ndeep\n');
    const run = await execWithSshConfig({ inventory, pattern: 'all', config }, ['--json'], ['echo "$SSH_CONNECTION"']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const [client, , server] = (JSON.parse(run.stdout) as Doc).hosts.deep!.steps[0]!.stdout!.trim().split(' ');
    assert.equal(client, bastionAddress, 'the target saw the bastion');
    assert.equal(server, targetAddress);
    assert.deepEqual(
      relayed(log).map((r) => `${r.host}:${r.port}`),
      [`${bastionAddress}:${bastion.port}`],
      'the relay carried the bastion connection, and only that',
    );
    // the bastion (served over a pipe, so it logs no peer address) took one login: the relayed one
    assert.equal((await bastion.log()).match(/^Accepted publickey for root/gm)?.length, 1);
    assert.equal(relaysRunning(log), 0, 'the relay ended with the connection');
  } finally {
    await removeDir(dir);
  }
});

test('closing the connection ends a ProxyCommand that would linger (SIGHUP, as ssh sends)', async () => {
  const log = join(work, 'relay-linger.log');
  const { config } = writeSetup(`Host pc-01\n    ProxyCommand ${relayCommand(log)} linger\n`);
  const options = resolveConnectOptions(
    'pc-01',
    {},
    { sshConfigFile: config, hostKeyChecking: 'strict', connectTimeoutMs: 20_000 },
  );
  const connection = await connect(options);
  assert.equal((await connection.exec('echo "$SSH_CONNECTION"')).stdout.split(' ')[0], RELAY_SOURCE);
  assert.equal(relaysRunning(log), 1);
  await connection.close();
  for (let i = 0; i < 50 && relaysRunning(log) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(relaysRunning(log), 0, 'the relay is gone while this process lives on');
});
