// SSH as users have it, through the real CLI on the simulated fleet: ~/.ssh/config, a bastion
// (ProxyJump), sudo become with and without a password, encrypted keys, accept-new at scale.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG, healthyProfiles } from '../fleet/profiles.ts';
import { CLI, REPO, runCli, runProgram, type CliRun, execWithKnownHosts, execWithSshConfig } from '../helpers/cli.ts';

const API_KEY = 'e2e-ssh-tenant-key-3d9e41';
const env = { SLS_API_KEY: API_KEY };

// The bastion test runs the CLI in a network namespace of its own, joined to the machine by a
// veth pair: from there only the bastion's address on that link is reachable, never a fleet
// host's loopback address, so a host answering at all proves the connection went through it.
const NETNS = 'sls-e2e-153';
const VETH = 'slse2e153';
const LINK = { machine: '10.253.153.1', cli: '10.253.153.2' };

// sudo users, on the machine's /etc/passwd that every fleet host shares
const NOPW_USER = 'sls-e2e-nopw';
const PW_USER = 'sls-e2e-pw';
const SUDO_PASSWORD = 'e2e-Sudo-Pa55-8c1f';

let fleet: Fleet;
let work: string;

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const quiet = (cmd: string, args: string[]) => {
  try {
    sh(cmd, args);
  } catch {
    /* already gone */
  }
};

function setUpNetwork(): void {
  quiet('ip', ['netns', 'del', NETNS]);
  quiet('ip', ['link', 'del', `${VETH}a`]);
  sh('ip', ['netns', 'add', NETNS]);
  sh('ip', ['link', 'add', `${VETH}a`, 'type', 'veth', 'peer', 'name', `${VETH}b`]);
  sh('ip', ['link', 'set', `${VETH}b`, 'netns', NETNS]);
  sh('ip', ['addr', 'add', `${LINK.machine}/30`, 'dev', `${VETH}a`]);
  sh('ip', ['link', 'set', `${VETH}a`, 'up']);
  sh('ip', ['-n', NETNS, 'addr', 'add', `${LINK.cli}/30`, 'dev', `${VETH}b`]);
  sh('ip', ['-n', NETNS, 'link', 'set', `${VETH}b`, 'up']);
  sh('ip', ['-n', NETNS, 'link', 'set', 'lo', 'up']);
}

function setUpUsers(): void {
  for (const user of [NOPW_USER, PW_USER]) {
    quiet('userdel', ['-r', user]);
    sh('useradd', ['-m', '-s', '/bin/sh', user]);
    // a set password also unlocks the account: sshd without PAM refuses a locked one
    execFileSync('chpasswd', { input: `${user}:${user === PW_USER ? SUDO_PASSWORD : 'e2e-unused-Pa55-0000'}\n` });
  }
  writeFileSync(`/etc/sudoers.d/${NOPW_USER}`, `${NOPW_USER} ALL=(ALL:ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
  // no cached credentials between runs: every run must answer sudo itself
  writeFileSync(
    `/etc/sudoers.d/${PW_USER}`,
    `Defaults:${PW_USER} timestamp_timeout=0\n${PW_USER} ALL=(ALL:ALL) ALL\n`,
    { mode: 0o440 },
  );
  sh('visudo', ['-c']);
}

function tearDownUsers(): void {
  for (const user of [NOPW_USER, PW_USER]) {
    rmSync(`/etc/sudoers.d/${user}`, { force: true });
    quiet('userdel', ['-r', user]);
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sls-e2e-ssh-'));
  setUpNetwork();
  setUpUsers();
  fleet = await startFleet(
    [
      { name: 'web-01', config: OPERATOR_CONFIG },
      { name: 'web-02', config: OPERATOR_CONFIG },
      { name: 'bastion-01', listenAddresses: [LINK.machine] },
      // the bastion's sshd opens its forwarded connections from the loopback source 127.0.0.1
      { name: 'inner-01', config: OPERATOR_CONFIG, allowFrom: '127.0.0.1' },
      { name: 'sudo-01', config: OPERATOR_CONFIG, vars: { ansible_user: NOPW_USER, ansible_become: true } },
      { name: 'sudo-02', config: OPERATOR_CONFIG, vars: { ansible_user: PW_USER, ansible_become: true } },
    ],
    { subnet: 153 },
  );
});

after(async () => {
  await fleet?.stop();
  quiet('ip', ['netns', 'del', NETNS]);
  quiet('ip', ['link', 'del', `${VETH}a`]);
  tearDownUsers();
  if (work) rmSync(work, { recursive: true, force: true });
});

type Doc = {
  hosts: Record<
    string,
    {
      status: string;
      steps: { name: string; status: string; message: string; rc?: number; stdout?: string; stderr?: string }[];
    }
  >;
};
const lastMessage = (doc: Doc, host: string) => doc.hosts[host]!.steps.at(-1)!.message;

test('~/.ssh/config: an inventory that only names hosts; HostName, Port, User, IdentityFile, UserKnownHostsFile from the config; inventory vars win', async () => {
  const [web1, web2] = [fleet.host('web-01'), fleet.host('web-02')];
  const config = join(work, 'ssh_config');
  writeFileSync(
    config,
    `# first value wins, as in ssh: specific blocks first
Host web-01
    HostName ${web1.address}
Host web-02
    HostName ${web2.address}
    # wrong on purpose: the inventory's ansible_port and ansible_user win
    Port 2299
    User nobody
Host web-*
    Port ${web1.port}
    User root
    IdentityFile ${fleet.keyPath}
    UserKnownHostsFile ${fleet.knownHostsPath}
    StrictHostKeyChecking yes
`,
  );
  const inventory = join(work, 'names-only.ini');
  writeFileSync(inventory, `[web]\nweb-01\nweb-02 ansible_port=${web2.port} ansible_user=root\n`);
  // no --known-hosts: the config's UserKnownHostsFile is the one used
  const run = await runCli(['exec', inventory, 'all', '--ssh-config', config, '--json', '--', 'hostname; id -un']);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  assert.equal(doc.hosts['web-01']!.steps[0]!.stdout, 'web-01\nroot\n');
  assert.equal(doc.hosts['web-02']!.steps[0]!.stdout, 'web-02\nroot\n');

  // without the inventory's override web-02 would take the config's wrong port and fail
  writeFileSync(inventory, '[web]\nweb-02\n');
  const wrong = await execWithSshConfig({ inventory, pattern: 'all', config }, ['--retries', '0', '--json'], ['true']);
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(lastMessage(JSON.parse(wrong.stdout) as Doc, 'web-02'), /refused/i);
});

/** The CLI started inside the bastion test's network namespace. */
function runCliInNetns(args: string[]): Promise<CliRun> {
  return runProgram('ip', ['netns', 'exec', NETNS, process.execPath, CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, CI: 'true', ...env },
  });
}

test('a bastion: ProxyJump in the ssh config reaches a host the controller cannot reach; the host sees the bastion as its client', async () => {
  const [bastion, inner] = [fleet.host('bastion-01'), fleet.host('inner-01')];
  const knownHosts = join(work, 'known_hosts_bastion');
  writeFileSync(
    knownHosts,
    `${readFileSync(fleet.knownHostsPath, 'utf8')}[${LINK.machine}]:${bastion.port} ${bastion.hostKey()}\n`,
  );
  const config = join(work, 'ssh_config_bastion');
  writeFileSync(
    config,
    `Host bastion
    HostName ${LINK.machine}
    Port ${bastion.port}
    User root
    IdentityFile ${fleet.keyPath}
Host inner-01
    HostName ${inner.address}
    ProxyJump bastion
Host *
    UserKnownHostsFile ${knownHosts}
`,
  );
  const inventory = join(work, 'inner.ini');
  writeFileSync(
    inventory,
    `[sensors]\ninner-01 ansible_port=${inner.port} ansible_user=root ansible_ssh_private_key_file=${fleet.keyPath}\n`,
  );

  // the control: without the bastion the CLI in its network cannot reach inner-01 at all
  const direct = await runCliInNetns([
    'exec',
    inventory,
    'all',
    '--known-hosts',
    knownHosts,
    '--retries',
    '0',
    '--connect-timeout',
    '3',
    '--json',
    '--',
    'true',
  ]);
  assert.equal(direct.code, 3, direct.stderr);

  const bastionLog = join(bastion.root, 'sshd', 'sshd.log');
  const loginsBefore = readFileSync(bastionLog, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`from ${LINK.cli}`)).length;
  const run = await runCliInNetns([
    'exec',
    inventory,
    'all',
    '--ssh-config',
    config,
    '--json',
    '--',
    'hostname; echo "$SSH_CONNECTION"',
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const [hostname, connection] = (JSON.parse(run.stdout) as Doc).hosts['inner-01']!.steps[0]!.stdout!.trim().split(
    '\n',
  );
  assert.equal(hostname, 'inner-01');
  // client address and port as inner-01's sshd saw them: the bastion's, not the CLI's 10.253.153.2
  const [clientAddress, , serverAddress] = connection!.split(' ');
  assert.equal(clientAddress, '127.0.0.1');
  assert.equal(serverAddress, inner.address);
  // and the bastion logged the CLI's login from the CLI's own network
  const loginsAfter = readFileSync(bastionLog, 'utf8')
    .split('\n')
    .filter((l) => /^Accepted publickey for root from /.test(l) && l.includes(`from ${LINK.cli}`)).length;
  assert.ok(loginsAfter > loginsBefore, 'the bastion saw the CLI log in');

  // a deploy through the bastion converges the host
  const deploy = await runCliInNetns(['deploy', inventory, '--ssh-config', config, '-e', 'sls_region=Germany']);
  assert.equal(deploy.code, 0, deploy.stdout + deploy.stderr);
  assert.match(inner.readConfig()!, /mcs2-cloudstation-eu-central-1/);
});

test('ansible_ssh_common_args: -o ProxyJump is honoured; with ForwardAgent, which ssh2 cannot honour, auto takes OpenSSH, whose bastion hop is checked against --known-hosts too', async () => {
  const [bastion, inner] = [fleet.host('bastion-01'), fleet.host('inner-01')];
  const knownHosts = join(work, 'known_hosts_bastion');
  const inventory = join(work, 'inner-args.ini');
  writeFileSync(
    inventory,
    `[sensors]
inner-01 ansible_host=${inner.address} ansible_port=${inner.port} ansible_user=root ansible_ssh_private_key_file=${fleet.keyPath}

[sensors:vars]
ansible_ssh_common_args='-o ProxyJump=root@${LINK.machine}:${bastion.port} -o ForwardAgent=yes'
`,
  );
  const run = await runCliInNetns([
    'exec',
    inventory,
    'all',
    '--known-hosts',
    knownHosts,
    '-v',
    '--',
    'echo "$SSH_CONNECTION"',
  ]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /127\.0\.0\.1 \d+ 127\.153\./);
  assert.match(
    run.stdout,
    /\[inner-01\] ssh client: openssh \(ssh arguments the ssh2 client does not honour: -o ForwardAgent=yes\)/,
  );
  assert.doesNotMatch(run.stderr, /warning: .*ignored ssh arguments/);
});

/** Every command line on the machine, sampled until stopped. */
function watchCommandLines(): { stop: () => string[] } {
  const seen = new Set<string>();
  const sample = () => {
    try {
      for (const line of sh('ps', ['-eo', 'args']).split('\n')) seen.add(line);
    } catch {
      /* ps raced an exiting process */
    }
  };
  const timer = setInterval(sample, 40);
  sample();
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return [...seen];
    },
  };
}

test('become, passwordless sudo: a non-root login deploys through sudo; the config is root-owned 0600 and the sensor restarted', async () => {
  const host = fleet.host('sudo-01');
  const restarts = host.restartCount();
  const run = await runCli(
    ['deploy', fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-l', 'sudo-01', '-e', 'sls_region=Ireland'],
    { env },
  );
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const file = join(host.root, 'etc', 'sophos', 'runtimedetections.yaml');
  assert.match(host.readConfig()!, /mcs2-cloudstation-eu-west-1/);
  assert.equal(statSync(file).uid, 0);
  assert.equal(statSync(file).gid, 0);
  assert.equal(host.configMode(), 0o600);
  assert.equal(host.restartCount(), restarts + 1);
  assert.equal(host.loadedConfig(), host.readConfig());

  const who = await runCli([
    'exec',
    fleet.inventoryPath,
    '--known-hosts',
    fleet.knownHostsPath,
    'sudo-01',
    '--',
    'id -un; echo "$SUDO_USER"',
  ]);
  assert.equal(who.code, 0, who.stderr);
  assert.match(who.stdout, new RegExp(`root\\n(.*\\n)?.*${NOPW_USER}`));
});

test('become with ansible_become_password in host_vars: converges; the password is in no output and no command line', async () => {
  const host = fleet.host('sudo-02');
  const dir = join(work, 'pw-inventory');
  mkdirSync(join(dir, 'host_vars'), { recursive: true });
  writeFileSync(join(dir, 'hosts.yml'), readFileSync(fleet.inventoryPath, 'utf8'));
  writeFileSync(join(dir, 'host_vars', 'sudo-02.yml'), `ansible_become_password: ${SUDO_PASSWORD}\n`);
  chmodSync(join(dir, 'host_vars', 'sudo-02.yml'), 0o600);
  const restarts = host.restartCount();

  const ps = watchCommandLines();
  const run = await runCli(
    ['deploy', dir, '--known-hosts', fleet.knownHostsPath, '-l', 'sudo-02', '-e', 'sls_region=Ireland', '-v', '--diff'],
    { env },
  );
  const commandLines = ps.stop();
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(host.readConfig()!, /mcs2-cloudstation-eu-west-1/);
  assert.equal(statSync(join(host.root, 'etc', 'sophos', 'runtimedetections.yaml')).uid, 0);
  assert.equal(host.configMode(), 0o600);
  assert.equal(host.restartCount(), restarts + 1);

  assert.ok(
    commandLines.some((l) => l.includes('sudo')),
    'the sampler saw the run (a sudo command line)',
  );
  for (const line of commandLines) assert.ok(!line.includes(SUDO_PASSWORD), `password on a command line: ${line}`);
  assert.ok(!(run.stdout + run.stderr).includes(SUDO_PASSWORD), 'password in the output');
  assert.ok(!(run.stdout + run.stderr).includes(API_KEY), 'api key in the output');
});

test('a wrong sudo password fails that host clearly, leaves it unchanged, and is printed nowhere', async () => {
  const host = fleet.host('sudo-02');
  const wrongPassword = 'e2e-WRONG-pw-42aa';
  const dir = join(work, 'wrong-pw-inventory');
  mkdirSync(join(dir, 'host_vars'), { recursive: true });
  writeFileSync(join(dir, 'hosts.yml'), readFileSync(fleet.inventoryPath, 'utf8'));
  writeFileSync(join(dir, 'host_vars', 'sudo-02.yml'), `ansible_become_password: ${wrongPassword}\n`);
  const before = { config: host.readConfig(), restarts: host.restartCount() };

  const ps = watchCommandLines();
  const run = await runCli(
    [
      'deploy',
      dir,
      '--known-hosts',
      fleet.knownHostsPath,
      '-l',
      'sudo-02,web-01',
      '-e',
      'sls_region=Germany',
      '--json',
      '-v',
    ],
    { env },
  );
  const commandLines = ps.stop();
  assert.equal(run.code, 2, run.stdout + run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  assert.equal(doc.hosts['sudo-02']!.status, 'failed');
  assert.match(lastMessage(doc, 'sudo-02'), new RegExp(`sudo password rejected for ${PW_USER}@`));
  assert.equal(doc.hosts['web-01']!.status, 'changed', 'the other host is not held up');
  assert.deepEqual({ config: host.readConfig(), restarts: host.restartCount() }, before);
  for (const line of commandLines) assert.ok(!line.includes(wrongPassword), `password on a command line: ${line}`);
  assert.ok(!(run.stdout + run.stderr).includes(wrongPassword));
});

test('-K prompts once on the terminal (through a pseudo-terminal) and sudo accepts the answer', async () => {
  const host = fleet.host('sudo-02');
  const restarts = host.restartCount();
  const cli = [
    process.execPath,
    CLI,
    'deploy',
    fleet.inventoryPath,
    '--known-hosts',
    fleet.knownHostsPath,
    '-l',
    'sudo-02',
    '-e',
    'sls_region=Australia',
    '-K',
  ];
  const quoted = cli.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
    // script(1) gives the CLI a terminal; what we write to script's stdin is typed into it
    const child = spawn('script', ['-qefc', quoted, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, ...env, CI: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = false;
    const onData = (d: Buffer) => {
      output += d;
      if (!answered && output.includes('BECOME password:')) {
        answered = true;
        child.stdin.write(`${SUDO_PASSWORD}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code: c ?? -1, output });
    });
  });
  assert.equal(code, 0, output);
  assert.equal(output.match(/BECOME password:/g)?.length, 1);
  assert.ok(!output.includes(SUDO_PASSWORD), 'the answer is not echoed');
  assert.match(host.readConfig()!, /mcs2\.stn100syd\.ctr\.sophos\.com/);
  assert.equal(host.restartCount(), restarts + 1);
});

test('-K without a terminal is a clear error of the options, before any host is touched', async () => {
  const run = await runCli([
    'exec',
    fleet.inventoryPath,
    '--known-hosts',
    fleet.knownHostsPath,
    'sudo-02',
    '-K',
    '--',
    'true',
  ]);
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.stderr, /BECOME password: needs a terminal/);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
});

test('an encrypted private key: SLS_PLAY_KEY_PASSPHRASE unlocks it; a wrong one makes the host unreachable naming the key', async () => {
  const key = join(work, 'id_encrypted');
  const passphrase = 'e2e key passphrase 9f0b';
  sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'encrypted e2e key', '-f', key]);
  appendFileSync(join(fleet.dir, 'authorized_keys'), readFileSync(`${key}.pub`, 'utf8'));
  const web = fleet.host('web-01');
  const inventory = join(work, 'encrypted.ini');
  writeFileSync(
    inventory,
    `[sensors]\nweb-01 ansible_host=${web.address} ansible_port=${web.port} ansible_user=root ansible_ssh_private_key_file=${key}\n`,
  );
  const args = ['exec', inventory, 'all', '--known-hosts', fleet.knownHostsPath, '--json', '--', 'hostname'];

  const right = await runCli(args, { env: { SLS_PLAY_KEY_PASSPHRASE: passphrase } });
  assert.equal(right.code, 0, right.stderr);
  assert.equal((JSON.parse(right.stdout) as Doc).hosts['web-01']!.steps[0]!.stdout, 'web-01\n');

  const wrong = await runCli(args, { env: { SLS_PLAY_KEY_PASSPHRASE: 'not the passphrase' } });
  assert.equal(wrong.code, 3, wrong.stderr);
  const doc = JSON.parse(wrong.stdout) as Doc;
  assert.equal(doc.hosts['web-01']!.status, 'unreachable');
  assert.match(lastMessage(doc, 'web-01'), /authentication|passphrase/i);
  assert.ok(lastMessage(doc, 'web-01').includes(key), `the message names the key: ${lastMessage(doc, 'web-01')}`);
  for (const out of [right.stdout + right.stderr, wrong.stdout + wrong.stderr]) assert.ok(!out.includes(passphrase));
});

test('accept-new with 20 hosts at once and an empty known_hosts: each key recorded exactly once; a strict run then passes', async () => {
  const many = await startFleet(healthyProfiles(20, 'many'), { subnet: 154 });
  try {
    const knownHosts = join(work, 'known_hosts_accept_new');
    writeFileSync(knownHosts, '');
    const first = await execWithKnownHosts(
      { inventory: many.inventoryPath, pattern: 'all', knownHosts, checking: 'accept-new' },
      [],
      ['true'],
    );
    assert.equal(first.code, 0, first.stdout + first.stderr);

    const lines = readFileSync(knownHosts, 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    assert.equal(lines.length, 20, readFileSync(knownHosts, 'utf8'));
    for (const h of many.hosts) {
      // ssh-keygen -F understands plain and hashed entries alike: exactly one entry per host
      const found = sh('ssh-keygen', ['-F', `[${h.address}]:${h.port}`, '-f', knownHosts])
        .split('\n')
        .filter((l) => l && !l.startsWith('#'));
      assert.equal(found.length, 1, `${h.name}: ${found.join(' | ')}`);
      assert.ok(found[0]!.endsWith(h.hostKey()), `${h.name} has its own key`);
    }
    // well-formed: ssh-keygen reads every line back (a torn or joined line would not parse)
    const fingerprints = sh('ssh-keygen', ['-l', '-f', knownHosts]).trim().split('\n');
    assert.equal(fingerprints.length, 20);

    const strict = await execWithKnownHosts(
      { inventory: many.inventoryPath, pattern: 'all', knownHosts, checking: 'strict' },
      [],
      ['true'],
    );
    assert.equal(strict.code, 0, strict.stdout + strict.stderr);
    assert.equal(
      readFileSync(knownHosts, 'utf8')
        .split('\n')
        .filter((l) => l.trim()).length,
      20,
      'a strict run adds nothing',
    );
  } finally {
    await many.stop();
  }
});

test('ssh-agent: with no key file in the inventory or ~/.ssh, the key held by the agent (SSH_AUTH_SOCK) logs in; without the agent the host is unreachable', async () => {
  const home = join(work, 'agent-home');
  mkdirSync(home, { recursive: true });
  const socket = join(work, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
    execFileSync('ssh-add', ['-q', fleet.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    // the inventory as a user with an agent writes it: no ansible_ssh_private_key_file
    const inventory = join(work, 'agent-hosts.yml');
    const web = fleet.host('web-02');
    writeFileSync(
      inventory,
      `all:\n  hosts:\n    web-02:\n      ansible_host: ${web.address}\n      ansible_port: ${web.port}\n      ansible_user: root\n`,
    );
    const args = ['exec', inventory, 'all', '--known-hosts', fleet.knownHostsPath, '--json', '--', 'hostname'];

    const withAgent = await runCli(args, { env: { HOME: home, SSH_AUTH_SOCK: socket } });
    assert.equal(withAgent.code, 0, withAgent.stdout + withAgent.stderr);
    assert.equal((JSON.parse(withAgent.stdout) as Doc).hosts['web-02']!.steps[0]!.stdout?.trim(), 'web-02');

    const withoutAgent = await runCli(args, { env: { HOME: home, SSH_AUTH_SOCK: undefined } });
    assert.equal(withoutAgent.code, 3, withoutAgent.stdout + withoutAgent.stderr);
    assert.match(lastMessage(JSON.parse(withoutAgent.stdout) as Doc, 'web-02'), /authentication|no way to log in/i);
  } finally {
    agent.kill();
  }
});
