// Ansible's everyday options, each proved on a real sshd (logins as root on this machine) or a
// silent listener: -u/--private-key on an inventory with neither, -T against a server that
// never answers (and against ConnectTimeout in the ssh config), -b --become-user, the ssh
// arguments, -c local, --start-at-task, -i repeated, run -m/-a; and the listings compared, layout
// included, with ansible-playbook's on the playbook's YAML twin.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, REPO } from '../helpers/cli.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { ansibleCommand, python } from '../unit/inventory/ansible-reference.ts';

const skipAnsible = python === undefined ? 'ansible-core is not installed' : false;
const block = reserveAddressBlock();
const PLAYBOOK = 'test/fixtures/playbooks/ansible-options.ts';
const TWIN = join(REPO, 'test/fixtures/playbooks/ansible-options.yml');
let dir: string;
let home: string;
let sshd: TestSshd;
let key: string;
let knownHosts: string;
let silent: Server;
const sockets: Socket[] = [];
/** Each connection the silent server took: when, and when the client gave up on it. */
const waits: { opened: number; closed?: number }[] = [];

/**
 * How long the client waited on each connection opened from `first` on, in seconds, shortest first:
 * measured by the server from accept to close, so the CLI's own start (slow on a loaded machine)
 * does not count, only the wait the timeout governs.
 */
async function waitedSince(first: number): Promise<number[]> {
  const mine = waits.slice(first);
  for (let i = 0; mine.some((w) => w.closed === undefined) && i < 100; i++) await sleep(100);
  return mine.map((w) => ((w.closed ?? Number.NaN) - w.opened) / 1000).sort((a, b) => a - b);
}
const SILENT_PORT = 2299;

/** An inventory of one host `web-01` at the sshd, with only the variables given. */
function inventory(name: string, vars: Record<string, string> = {}): string {
  const path = join(dir, name);
  const words = Object.entries({ ansible_host: sshd.address, ansible_port: String(sshd.port), ...vars })
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  writeFileSync(path, `[web]\nweb-01 ${words}\n`);
  return path;
}

const sls = (args: string[]) => runCli(args, { env: { HOME: home, SLS_API_KEY: undefined } });
const fleet = () => ['--known-hosts', knownHosts];
/** `exec ARGS -- id -un` on the test host, with a JSON report: who the command ran as. */
const idUn = (...args: string[]) => sls(['exec', ...args, ...fleet(), '--json', '--', 'id -un']);
const stdoutOf = (json: string) =>
  (JSON.parse(json) as { hosts: Record<string, { steps: { stdout?: string }[] }> }).hosts['web-01']!.steps[0]!.stdout;

/** The one step of an unreachable host in a --json document: why, and after how long. */
function connectStep(json: string): { message: string; seconds: number } {
  const doc = JSON.parse(json) as { hosts: Record<string, { steps: { message: string; seconds: number }[] }> };
  return doc.hosts['web-01']!.steps[0]!;
}

before(async () => {
  delete process.env.SSH_AUTH_SOCK;
  dir = await makeTempDir('sls-ansible-options-');
  home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  key = join(dir, 'client');
  sshd = await startSshd({ dir, address: `${block.prefix}.41`, authorizedKeys: [await generateKey(key)] });
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, sshd.knownHostsLine());
  // accepts every connection and never says a word: only a timeout ends the wait
  silent = createServer((socket) => {
    const wait: { opened: number; closed?: number } = { opened: Date.now() };
    waits.push(wait);
    // read and drop what the client says, so its close is seen
    sockets.push(socket.resume().on('close', () => (wait.closed = Date.now())));
  });
  await new Promise<void>((resolve) => silent.listen(SILENT_PORT, `${block.prefix}.42`, resolve));
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  silent?.close();
  await sshd?.stop();
  if (dir) await removeDir(dir);
  block.release();
});

test('-u root --private-key K log in where the inventory names neither; the inventory ansible_user wins over -u, as in Ansible', async () => {
  const bare = inventory('bare');
  const without = await idUn(bare, 'web');
  assert.equal(without.code, 3, without.stdout);
  const run = await idUn('-i', bare, 'web', '-u', 'root', '--private-key', key);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(stdoutOf(run.stdout)?.trim(), 'root');
  const alias = await idUn(bare, 'web', '-u', 'root', '--key-file', key);
  assert.equal(alias.code, 0, alias.stderr);
  const pinned = inventory('pinned', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  const loses = await idUn(pinned, 'web', '-u', 'sls-no-such-user');
  assert.equal(loses.code, 0, loses.stderr);
  assert.equal(stdoutOf(loses.stdout)?.trim(), 'root');
  const extra = await sls(['exec', pinned, 'web', '-e', 'ansible_user=sls-no-such-user', ...fleet(), '--', 'true']);
  assert.equal(extra.code, 3, '-e wins over the inventory');
});

test('-T 2 gives up on a server that accepts and never answers in about 2 s', async () => {
  const path = join(dir, 'silent');
  writeFileSync(
    path,
    `[web]\nweb-01 ansible_host=${block.prefix}.42 ansible_port=${SILENT_PORT} ansible_user=root ansible_ssh_private_key_file=${key}\n`,
  );
  const first = waits.length;
  const run = await sls([
    'deploy',
    path,
    '-p',
    PLAYBOOK,
    '-T',
    '2',
    '--retries',
    '0',
    ...fleet(),
    '-e',
    'marks=/dev/null',
    '--json',
  ]);
  assert.equal(run.code, 3, run.stdout + run.stderr);
  const connect = connectStep(run.stdout);
  assert.match(connect.message, /within 2 s/);
  assert.ok(connect.seconds >= 1.9, `the report says it gave up after ${connect.seconds} s`);
  const [waited, ...more] = await waitedSince(first);
  assert.deepEqual(more, [], 'one connection');
  assert.ok(waited! >= 1.9 && waited! < 3, `the server was given up on after ${waited} s`);
});

test('-T 6 and --connect-timeout 6 win over ConnectTimeout 1 in the ssh config; without them the config rules', async () => {
  const path = join(dir, 'silent-config');
  writeFileSync(
    path,
    `[web]\nweb-01 ansible_host=${block.prefix}.42 ansible_port=${SILENT_PORT} ansible_user=root ansible_ssh_private_key_file=${key}\n`,
  );
  const config = join(dir, 'ssh_config');
  writeFileSync(config, 'Host *\n  ConnectTimeout 1\n');
  const timed = async (extra: string[]) => {
    const run = await sls([
      'exec',
      path,
      'all',
      '--ssh-config',
      config,
      '--retries',
      '0',
      ...fleet(),
      ...extra,
      '--json',
      '--',
      'true',
    ]);
    assert.equal(run.code, 3, run.stdout + run.stderr);
    return connectStep(run.stdout);
  };
  const first = waits.length;
  const [configOnly, short, long] = await Promise.all([
    timed([]),
    timed(['-T', '6']),
    timed(['--connect-timeout', '6']),
  ]);
  assert.match(configOnly.message, /within 1 s/);
  for (const run of [short, long]) {
    assert.match(run.message, /within 6 s/);
    assert.ok(run.seconds >= 5.9, `the report says the command line's 6 s, gave up after ${run.seconds} s`);
  }
  // the three waits as the server saw them: the ssh config's 1 s, and the command line's 6 s twice
  const [one, six, sixAgain] = await waitedSince(first);
  assert.ok(one! >= 0.9 && one! < 2, `the ssh config's 1 s: ${one} s`);
  for (const waited of [six, sixAgain]) assert.ok(waited! >= 5.9 && waited! < 8, `the command line's 6 s: ${waited} s`);
});

test('-b --become-user nobody runs the command as nobody; without -b as the login user', async () => {
  const path = inventory('become', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  const become = await idUn(path, 'web', '-b', '--become-user', 'nobody');
  assert.equal(become.code, 0, become.stderr);
  assert.equal(stdoutOf(become.stdout)?.trim(), 'nobody');
  const plain = await idUn(path, 'web');
  assert.equal(stdoutOf(plain.stdout)?.trim(), 'root');
  const su = await sls(['exec', path, 'web', '-b', '--become-method', 'su', ...fleet(), '--', 'id -un']);
  assert.equal(su.code, 5);
  assert.match(su.stderr, /--become-method su is not supported: su reads its password only from a terminal/);
});

test("--ssh-common-args '-o UserKnownHostsFile=…' and --ssh-extra-args are honoured", async () => {
  const path = inventory('ssh-args', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  const unknown = await sls(['exec', path, 'web', '--json', '--', 'true']);
  assert.equal(unknown.code, 3, 'the host key is in no known_hosts file the run reads');
  for (const option of ['--ssh-common-args', '--ssh-extra-args']) {
    const run = await sls(['exec', path, 'web', option, `-o UserKnownHostsFile=${knownHosts}`, '--', 'true']);
    assert.equal(run.code, 0, `${option}: ${run.stdout}${run.stderr}`);
  }
});

test('-c local and ansible_connection: local run on this machine, not at the address', async () => {
  const nowhere = join(dir, 'nowhere');
  // nothing listens there: only a local run can succeed
  writeFileSync(nowhere, `[web]\nweb-01 ansible_host=${block.prefix}.43 ansible_port=1\n`);
  const marker = join(dir, 'local-marker');
  const run = await sls(['exec', nowhere, 'web', '-c', 'local', '--', `echo local > ${marker}`]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(readFileSync(marker, 'utf8'), 'local\n');
  const viaInventory = join(dir, 'local-inventory');
  writeFileSync(viaInventory, `[web]\nweb-01 ansible_host=${block.prefix}.43 ansible_connection=local\n`);
  const again = await sls(['exec', viaInventory, 'web', '--json', '--', 'echo from-inventory']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(stdoutOf(again.stdout)?.trim(), 'from-inventory');
  const ssh = await sls(['exec', nowhere, 'web', '-c', 'ssh', '-T', '2', '--retries', '0', '--', 'true']);
  assert.equal(ssh.code, 3);
});

test('--start-at-task config skips the tasks before it, and says why', async () => {
  const marks = join(dir, 'marks-start');
  const path = inventory('start', { ansible_user: 'root', ansible_ssh_private_key_file: key, marks });
  const run = await sls(['deploy', '-i', path, '-p', PLAYBOOK, '--start-at-task', 'config', ...fleet(), '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(marks, 'utf8'), 'config root\nrestart root\n');
  const steps = (
    JSON.parse(run.stdout) as { hosts: Record<string, { steps: { name: string; status: string; message: string }[] }> }
  ).hosts['web-01']!.steps;
  const { name, status, message } = steps[0]!;
  assert.deepEqual(
    { name, status, message },
    {
      name: 'version',
      status: 'skipped',
      message: 'before --start-at-task "config": not run',
    },
  );
  const missing = await sls(['deploy', '-i', path, '-p', PLAYBOOK, '--start-at-task', 'nope', ...fleet()]);
  assert.equal(missing.code, 5);
  assert.match(missing.stderr, /--start-at-task: no task named "nope"/);
});

test('-t checks runs only the tasks tagged checks (and always); --skip-tags leaves them out', async () => {
  const marks = join(dir, 'marks-tags');
  const path = inventory('tags', { ansible_user: 'root', ansible_ssh_private_key_file: key, marks });
  const run = await sls(['deploy', '-i', path, '-p', PLAYBOOK, '-t', 'checks', ...fleet()]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(readFileSync(marks, 'utf8'), 'version root\nconfig root\n');
  rmSync(marks);
  const skip = await sls(['deploy', '-i', path, '-p', PLAYBOOK, '--skip-tags', 'checks,config', ...fleet()]);
  assert.equal(skip.code, 0, skip.stderr);
  assert.equal(readFileSync(marks, 'utf8'), 'restart root\n');
});

test("run -m MODULE -a ARGS as ansible takes them, with -i and the pattern first; today's form still works", async () => {
  const path = inventory('run', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  const file = join(dir, 'run-file');
  const m = await sls([
    'run',
    '-i',
    path,
    'web',
    '-m',
    'file',
    '-a',
    `path=${file} content='made by -m' mode=0600`,
    ...fleet(),
  ]);
  assert.equal(m.code, 0, m.stdout + m.stderr);
  assert.equal(readFileSync(file, 'utf8'), 'made by -m');
  const free = await sls(['run', '-i', path, 'web', '-a', `touch ${file}-a`, ...fleet()]);
  assert.equal(free.code, 0, free.stdout + free.stderr);
  assert.ok(existsSync(`${file}-a`), '-a alone is the command module');
  const old = await sls(['run', path, 'web', 'file', `path=${file}`, 'state=absent', ...fleet()]);
  assert.equal(old.code, 0, old.stderr);
  assert.equal(existsSync(file), false);
});

test('-i twice merges the inventories; --flush-cache is accepted and says it does nothing with -v', async () => {
  const first = inventory('first', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  const second = join(dir, 'second');
  writeFileSync(second, '[db]\ndb-01 ansible_host=127.0.0.1\n');
  const hosts = await sls(['exec', '-i', first, '-i', second, 'all', '--list-hosts']);
  assert.equal(hosts.stdout, '  hosts (2):\n    web-01\n    db-01\n');
  const flush = await sls(['exec', '-i', first, 'web', '--flush-cache', '-v', ...fleet(), '--', 'true']);
  assert.equal(flush.code, 0, flush.stderr);
  assert.match(flush.stderr, /--flush-cache: nothing to flush \(sls-play keeps no fact cache/);
});

test('-k, -K and --step need a terminal: a clear error and exit 5, before any host is touched', async () => {
  const path = inventory('asks', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  for (const option of ['-k', '-K']) {
    const run = await sls(['exec', path, 'web', option, ...fleet(), '--', 'true']);
    assert.equal(run.code, 5, option);
    assert.match(run.stderr, /password: needs a terminal/);
  }
  const step = await sls(['deploy', path, '-p', PLAYBOOK, '--step', ...fleet(), '-e', 'marks=/dev/null']);
  assert.equal(step.code, 5);
  assert.match(step.stderr, /--step asks before each task and needs a terminal/);
});

test('--list-hosts, --list-tasks, --list-tags and --syntax-check print what ansible-playbook prints', {
  skip: skipAnsible,
}, async () => {
  const path = inventory('listings');
  const same = async (options: string[]) => {
    const [ours, theirs] = await Promise.all([
      sls(['deploy', '-i', path, '-p', PLAYBOOK, ...options]),
      ansibleCommand('ansible-playbook', ['-i', path, TWIN, ...options]),
    ]);
    assert.equal(ours.code, 0, ours.stderr);
    assert.notEqual(theirs, '', `ansible-playbook ${options.join(' ')} printed nothing`);
    assert.equal(ours.stdout, theirs.replaceAll(TWIN, PLAYBOOK), options.join(' '));
    return ours.stdout;
  };
  await same(['--list-hosts']);
  const all = await same(['--list-tasks']);
  assert.match(all, /restart\tTAGS: \[\]/);
  const checks = await same(['-t', 'checks', '--list-tasks']);
  assert.match(checks, /version\tTAGS: \[checks\]/);
  assert.doesNotMatch(checks, /restart/, 'only the tasks tagged checks (and always)');
  await same(['--skip-tags', 'config', '--list-tasks']);
  await same(['--list-tags']);
  await same(['-t', 'checks', '--list-tags']);
  await same(['--syntax-check']);
});

test('--syntax-check of a broken playbook exits 4 and touches no host', async () => {
  const broken = join(dir, 'broken.ts');
  writeFileSync(broken, "import { playbook } from 'sls-play';\nexport default playbook({ name: 'x', tasks: [ });\n");
  const path = inventory('broken-inv', { ansible_user: 'root', ansible_ssh_private_key_file: key });
  const logins = async () => (await sshd.log()).split('Accepted publickey').length;
  const before = await logins();
  const run = await sls(['deploy', '-i', path, '-p', broken, '--syntax-check', ...fleet()]);
  assert.equal(run.code, 4, run.stdout + run.stderr);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /broken\.ts/);
  const good = await sls(['deploy', '-i', path, '-p', PLAYBOOK, '--syntax-check', ...fleet()]);
  assert.equal(good.code, 0, good.stderr);
  assert.equal(await logins(), before, 'no host was logged into');
});

/**
 * The CLI on a pseudo-terminal (util-linux script); stdout and stderr come back mixed, as on a
 * screen. Each answer is typed once its question is on the screen, as a person would.
 */
function onTerminal(args: string[], answers: [RegExp, string][]): Promise<{ code: number; screen: string }> {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const line = [process.execPath, join(REPO, 'bin/sls-play.js'), ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', line, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, HOME: home, CI: 'true', SLS_API_KEY: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    let from = 0;
    const seen = (d: Buffer) => {
      screen += d;
      const next = answers[0];
      const at = next ? screen.slice(from).search(next[0]) : -1;
      if (next && at >= 0) {
        answers.shift();
        from = screen.length;
        child.stdin.write(next[1]);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, screen });
    });
  });
}

test('an encrypted key: asked once on a terminal and used for every host; elsewhere SLS_PLAY_KEY_PASSPHRASE, or a message that says so', async () => {
  const locked = join(dir, 'locked');
  const PASSPHRASE = 'Opt-Passphrase 7q';
  const pub = await generateKey(locked, 'ed25519', PASSPHRASE);
  appendFileSync(join(dir, `authorized-${sshd.address}-${sshd.port}`), `${pub}\n`);
  const two = join(dir, 'two-hosts');
  const vars = `ansible_host=${sshd.address} ansible_port=${sshd.port} ansible_user=root ansible_ssh_private_key_file=${locked}`;
  writeFileSync(two, `[web]\nweb-01 ${vars}\nweb-02 ${vars}\n`);
  const args = ['exec', two, 'web', ...fleet(), '--', 'id -un'];
  const piped = await sls(args);
  assert.equal(piped.code, 3);
  assert.match(
    piped.stdout,
    /is encrypted and no passphrase was given \(run sls-play on a terminal to be asked for it, or set SLS_PLAY_KEY_PASSPHRASE\)/,
  );
  const fromEnv = await runCli(args, { env: { HOME: home, SLS_PLAY_KEY_PASSPHRASE: PASSPHRASE } });
  assert.equal(fromEnv.code, 0, fromEnv.stdout);
  const asked = await onTerminal(args, [[/Enter passphrase for key/, `${PASSPHRASE}\n`]]);
  assert.equal(asked.code, 0, asked.screen);
  assert.equal(asked.screen.match(/Enter passphrase for key '[^']*locked': /g)?.length, 1, asked.screen);
  assert.doesNotMatch(asked.screen, new RegExp(PASSPHRASE), 'the passphrase is not echoed');
  assert.match(asked.screen, /2 hosts: 0 ok, 2 changed, 0 failed, 0 unreachable/);
});

test('--step on a terminal asks (N)o/(y)es/(c)ontinue before each task: no skips it, continue stops asking', async () => {
  const marks = join(dir, 'marks-step');
  const path = inventory('step', { ansible_user: 'root', ansible_ssh_private_key_file: key, marks });
  const run = await onTerminal(
    ['deploy', '-i', path, '-p', PLAYBOOK, '--step', ...fleet()],
    [
      [/TASK: version \(N\)o/, 'n\n'],
      [/TASK: config \(N\)o/, 'c\n'],
    ],
  );
  assert.equal(run.code, 0, run.screen);
  assert.equal(run.screen.match(/Perform task: TASK: \S+ \(N\)o\/\(y\)es\/\(c\)ontinue: /g)?.length, 2, run.screen);
  assert.match(run.screen, /Perform task: TASK: version \(N\)o/);
  assert.match(run.screen, /answered no at --step/);
  assert.equal(readFileSync(marks, 'utf8'), 'config root\nrestart root\n');
});
