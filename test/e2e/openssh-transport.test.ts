// The OpenSSH client against real OpenSSH servers: the same contract as the ssh2 client
// (transport.test.ts): exec with stdin, one connection per host, timeouts, a lost connection,
// every reason a host is unreachable in the same words, and host key checking.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectOpenSsh, type OpenSshOptions } from '../../src/transport/openssh/index.ts';
import {
  CommandTimeoutError,
  UnreachableError,
  type ConnectOptions,
  type Connection,
  type UnreachableReason,
} from '../../src/transport/types.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startSshd, type TestSshd } from '../helpers/sshd.ts';

const block = reserveAddressBlock();
const HOST = `${block.prefix}.1`;
const SILENT = `${block.prefix}.2`;
const hostPattern = (host: string) => host.replace(/\./g, '\\.');

let dir: string;
let sshd: TestSshd;
let clientKey: string;
let knownHosts: string;

/** The connection settings of transport.test.ts, and the master's command line they make. */
function options(overrides: Partial<ConnectOptions> = {}): OpenSshOptions {
  const base: ConnectOptions = {
    name: 'h1',
    address: sshd.address,
    port: sshd.port,
    user: 'root',
    privateKeyFiles: [clientKey],
    knownHostsFile: knownHosts,
    hostKeyChecking: 'strict',
    connectTimeoutMs: 20_000,
    ...overrides,
  };
  return {
    ...base,
    master: {
      destination: base.address,
      configFile: '/dev/null',
      userArgs: ['-o', 'IdentitiesOnly=yes'],
      user: base.user,
      port: base.port,
      identityFiles: base.privateKeyFiles,
      hostKeyChecking: base.hostKeyChecking,
      hostKeyCheckingExplicit: true,
      knownHostsFile: base.knownHostsFile,
      connectTimeoutMs: base.connectTimeoutMs,
    },
  };
}

async function unreachable(promise: Promise<unknown>, reason: UnreachableReason): Promise<string> {
  let message = '';
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UnreachableError, `expected UnreachableError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    assert.ok(!error.message.includes('\n'), 'one line');
    message = error.message;
    return true;
  });
  return message;
}

async function sshdLog(): Promise<{ logins: number; commands: number }> {
  const log = await sshd.log();
  return {
    logins: (log.match(/Accepted publickey/g) ?? []).length,
    commands: (log.match(/Starting session: command /g) ?? []).length,
  };
}

/** The master's pid, as `ssh -O check` reports it. */
function masterPid(connection: Connection): number {
  const path = (connection as unknown as { controlPath: string }).controlPath;
  const said = spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${path}`, '-O', 'check', 'x'], {
    encoding: 'utf8',
  }).stderr;
  const pid = Number(/pid=(\d+)/.exec(said)?.[1]);
  assert.ok(pid > 0, said);
  return pid;
}

before(async () => {
  delete process.env.SSH_AUTH_SOCK; // only the keys these tests name
  dir = await makeTempDir('sls-openssh-');
  clientKey = join(dir, 'client');
  sshd = await startSshd({ dir, address: HOST, authorizedKeys: [await generateKey(clientKey)] });
  knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, sshd.knownHostsLine());
});

after(async () => {
  await sshd?.stop();
  await removeDir(dir);
  block.release();
});

describe('exec over one master connection', () => {
  test('stdout, stderr, exit code and stdin', async () => {
    const connection = await connectOpenSsh(options());
    try {
      assert.equal(connection.host, 'h1');
      assert.deepEqual(await connection.exec('cat; echo out; echo err >&2; exit 3', { stdin: 'line 1\nline 2\n' }), {
        code: 3,
        stdout: 'line 1\nline 2\nout\n',
        stderr: 'err\n',
      });
      assert.deepEqual(await connection.exec('cat'), { code: 0, stdout: '', stderr: '' }, 'no stdin: end of input');
      const big = Buffer.alloc(2 * 1024 * 1024, 'x');
      assert.equal((await connection.exec('wc -c', { stdin: big })).stdout.trim(), String(big.length));
      assert.equal((await connection.exec('printf "\\303\\251t\\303\\251"')).stdout, 'été');
      assert.deepEqual(await connection.exec('exit 255'), { code: 255, stdout: '', stderr: '' }, "a command's own 255");
    } finally {
      await connection.close();
    }
  });

  test('20 sequential and 20 concurrent commands: one login, one command each, master gone after close', async () => {
    const before = await sshdLog();
    const connection = await connectOpenSsh(options());
    const path = (connection as unknown as { controlPath: string }).controlPath;
    try {
      assert.equal((readFileMode(dirname(path)) & 0o777).toString(8), '700', 'a private ControlPath directory');
      for (let i = 0; i < 20; i++) assert.equal((await connection.exec(`echo ${i}`)).stdout, `${i}\n`);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => connection.exec(`sleep 0.2; echo ${i}`)));
      assert.deepEqual(
        results.map((r) => r.stdout),
        Array.from({ length: 20 }, (_, i) => `${i}\n`),
      );
      const established = execFileSync('ss', ['-Htn', 'state', 'established', `dst ${sshd.address}:${sshd.port}`], {
        encoding: 'utf8',
      });
      assert.equal(established.trim().split('\n').filter(Boolean).length, 1, established);
    } finally {
      await connection.close();
    }
    const seen = await sshdLog();
    assert.equal(seen.logins - before.logins, 1, 'one login');
    assert.equal(seen.commands - before.commands, 40, 'one session per command, none for -O check/exit');
    assert.ok(!existsSync(path), 'the master removed its socket on -O exit');
    assert.deepEqual(readdirSync(dirname(path)), []);
  });

  test('a command past its timeout is stopped and killed, and the connection goes on', async () => {
    const connection = await connectOpenSsh(options({ commandTimeoutMs: 400 }));
    try {
      const started = Date.now();
      await assert.rejects(connection.exec('sleep 30'), (error: unknown) => {
        assert.ok(error instanceof CommandTimeoutError);
        assert.equal(error.command, 'sleep 30');
        assert.equal(error.timeoutMs, 400);
        return true;
      });
      assert.ok(Date.now() - started < 15_000);
      const marker = `sls-openssh-timeout-${process.pid}`;
      await assert.rejects(connection.exec(`sleep 31; echo ${marker}`, { timeoutMs: 300 }), CommandTimeoutError);
      const running = () => spawnSync('pgrep', ['-f', `sleep 31; echo ${marker}`], { encoding: 'utf8' }).stdout.trim();
      for (let waited = 0; running() !== '' && waited < 10_000; waited += 100)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(running(), '', 'the timed-out command was killed on the host');
      assert.equal((await connection.exec('echo still here', { timeoutMs: 60_000 })).stdout, 'still here\n');
    } finally {
      await connection.close();
    }
  });

  test('the master killed: the running command and every later one say disconnected', async () => {
    const connection = await connectOpenSsh(options());
    const running = connection.exec('sleep 20');
    await new Promise((r) => setTimeout(r, 300));
    process.kill(masterPid(connection), 'SIGKILL');
    const message = await unreachable(running, 'disconnected');
    assert.match(message, /lost \(the master connection ended\) while running: sleep 20/);
    await unreachable(connection.exec('echo again'), 'disconnected');
    await connection.close();
  });

  test('a connection lost mid-command is reported as disconnected', async () => {
    const connection = await connectOpenSsh(options());
    const message = await unreachable(connection.exec('kill -9 $PPID; sleep 5'), 'disconnected');
    assert.match(message, /lost .* while running: kill -9 \$PPID; sleep 5/);
    await connection.close();
  });
});

function readFileMode(path: string): number {
  return Number(execFileSync('stat', ['-c', '%a', path], { encoding: 'utf8' }).trim().replace(/^/, '0o'));
}

describe('unreachable hosts say why, in the ssh2 words', () => {
  let silent: Server;
  const accepted = new Set<Socket>();
  before(async () => {
    silent = createServer((socket) => {
      accepted.add(socket.resume());
      socket.on('close', () => accepted.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(2222, SILENT, () => resolve()));
  });
  after(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test('refused port', async () => {
    const message = await unreachable(connectOpenSsh(options({ port: 2299 })), 'refused');
    assert.equal(message, `connection refused by ${HOST}:2299; check that sshd runs there and listens on port 2299`);
  });

  test('connect timeout, apart from the command timeout', async () => {
    const started = Date.now();
    const message = await unreachable(
      connectOpenSsh(options({ address: SILENT, connectTimeoutMs: 500, commandTimeoutMs: 60_000 })),
      'timeout',
    );
    assert.ok(Date.now() - started < 10_000);
    assert.match(message, new RegExp(`${hostPattern(SILENT)}:2222 within 0\\.5 s`));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(accepted.size, 0, 'the timed-out connection was closed');
  });

  test('wrong login key', async () => {
    const wrong = join(dir, 'wrong');
    await generateKey(wrong);
    const message = await unreachable(connectOpenSsh(options({ privateKeyFiles: [wrong] })), 'authentication');
    assert.match(
      message,
      new RegExp(`^authentication failed for root@${hostPattern(HOST)}:2222 \\(ssh: .*Permission denied`),
    );
  });
});

describe('ProxyCommand, as cloud tunnels use it', () => {
  test('a stdio relay carries the connection, with %h and %p expanded', async () => {
    const relay = join(dir, 'relay.mjs');
    const seen = join(dir, 'relay-args');
    await writeFile(
      relay,
      `import { connect } from 'node:net';\nimport { appendFileSync } from 'node:fs';\n` +
        `const [host, port] = process.argv.slice(2);\nappendFileSync(${JSON.stringify(seen)}, host + ' ' + port + '\\n');\n` +
        'const socket = connect(Number(port), host);\nprocess.stdin.pipe(socket).pipe(process.stdout);\n',
    );
    const via = options();
    via.master.userArgs = ['-o', `ProxyCommand=${process.execPath} ${relay} %h %p`];
    const connection = await connectOpenSsh(via);
    try {
      assert.equal((await connection.exec('echo "$SSH_CONNECTION"')).code, 0);
      assert.equal((await connection.exec('echo through')).stdout, 'through\n');
    } finally {
      await connection.close();
    }
    assert.equal(await readFile(seen, 'utf8'), `${HOST} 2222\n`, 'one connection, through the relay');
  });

  test('a tunnel that fails: unreachable, in its own words', async () => {
    const via = options();
    via.master.userArgs = ['-o', `ProxyCommand=sh -c 'echo "TargetNotConnected: %h is not connected" >&2; exit 1'`];
    const message = await unreachable(connectOpenSsh(via), 'disconnected');
    assert.match(message, new RegExp(`TargetNotConnected: ${hostPattern(HOST)} is not connected`));
  });
});

describe('host key checking', () => {
  test('strict: an unknown host fails before login, saying how to add the key', async () => {
    const empty = join(dir, 'kh_empty');
    await writeFile(empty, '');
    const before = (await sshd.log()).match(/Accepted|Failed/g)?.length ?? 0;
    const message = await unreachable(connectOpenSsh(options({ knownHostsFile: empty })), 'host-key-unknown');
    assert.equal(
      message,
      `host key for [${HOST}]:2222 is not in ${empty}; verify it and add it (ssh-keyscan -t ssh-ed25519 -p 2222 ${HOST} >> ${empty}), or use --host-key-checking accept-new`,
    );
    assert.equal((await sshd.log()).match(/Accepted|Failed/g)?.length ?? 0, before, 'no credential was offered');
  });

  test('strict: a changed key fails, naming the file and line', async () => {
    const other = join(dir, 'other_host_key');
    const otherKey = (await generateKey(other)).split(' ').slice(0, 2).join(' ');
    const changed = join(dir, 'kh_changed');
    await writeFile(changed, `# fleet\n[${HOST}]:2222 ${otherKey}\n`);
    const message = await unreachable(connectOpenSsh(options({ knownHostsFile: changed })), 'host-key-changed');
    assert.equal(
      message,
      `host key for [${HOST}]:2222 CHANGED (${changed}:2); if the host was rebuilt, remove the old key with ssh-keygen -R '[${HOST}]:2222' -f ${changed}, otherwise treat it as a possible attack`,
    );
  });

  test('a @revoked key is refused', async () => {
    const revoked = join(dir, 'kh_revoked');
    await writeFile(revoked, `${sshd.knownHostsLine()}@revoked * ${sshd.hostPublicKey}\n`);
    const message = await unreachable(connectOpenSsh(options({ knownHostsFile: revoked })), 'host-key-changed');
    assert.match(message, new RegExp(`REVOKED \\(${revoked}:2\\)`));
  });

  test('accept-new records the key; the next strict connection matches it', async () => {
    const fresh = join(dir, 'fresh_known_hosts');
    const first = await connectOpenSsh(options({ knownHostsFile: fresh, hostKeyChecking: 'accept-new' }));
    await first.close();
    assert.match(await readFile(fresh, 'utf8'), new RegExp(`^\\[${hostPattern(HOST)}\\]:2222 ssh-ed25519 `));
    const strict = await connectOpenSsh(options({ knownHostsFile: fresh }));
    assert.equal((await strict.exec('echo ok')).stdout, 'ok\n');
    await strict.close();
  });

  test('off accepts any key and records nothing', async () => {
    const absent = join(dir, 'absent');
    const connection = await connectOpenSsh(options({ knownHostsFile: absent, hostKeyChecking: 'off' }));
    await connection.close();
    assert.ok(!existsSync(absent));
  });
});
