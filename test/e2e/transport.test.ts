// The SSH transport against real OpenSSH servers on a 127.0.N block of their own: exec, one connection per host,
// timeouts, every reason a host is unreachable, and host key checking.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect } from '../../src/transport/index.ts';
import {
  CommandTimeoutError,
  UnreachableError,
  type ConnectOptions,
  type UnreachableReason,
} from '../../src/transport/types.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { connectOptionsFor } from '../helpers/connect-options.ts';

const block = reserveAddressBlock();
const HOST = `${block.prefix}.1`;
const SILENT = `${block.prefix}.2`;
const hostPattern = (host: string) => host.replace(/\./g, '\\.');

let dir: string;
let sshd: TestSshd;
let clientKey: string;
let knownHosts: string;

function options(overrides: Partial<ConnectOptions> = {}): ConnectOptions {
  return connectOptionsFor(
    { name: 'h1', address: sshd.address, port: sshd.port },
    { key: clientKey, knownHosts },
    overrides,
  );
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

async function logins(): Promise<number> {
  return ((await sshd.log()).match(/Accepted publickey/g) ?? []).length;
}

before(async () => {
  delete process.env.SSH_AUTH_SOCK; // only the keys these tests name
  dir = await makeTempDir();
  clientKey = join(dir, 'client');
  const publicKey = await generateKey(clientKey);
  const encrypted = await generateKey(join(dir, 'encrypted'), 'ed25519', 'right horse');
  sshd = await startSshd({ dir, address: HOST, authorizedKeys: [publicKey, encrypted] });
  knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, sshd.knownHostsLine());
});

after(async () => {
  await sshd?.stop();
  await removeDir(dir);
  block.release();
});

describe('exec over one connection', () => {
  test('stdout, stderr, exit code and stdin', async () => {
    const connection = await connect(options());
    try {
      assert.equal(connection.host, 'h1');
      assert.deepEqual(await connection.exec('cat; echo out; echo err >&2; exit 3', { stdin: 'line 1\nline 2\n' }), {
        code: 3,
        stdout: 'line 1\nline 2\nout\n',
        stderr: 'err\n',
      });
      assert.deepEqual(
        await connection.exec('cat'),
        { code: 0, stdout: '', stderr: '' },
        'no stdin: end of input at once',
      );
      const big = Buffer.alloc(2 * 1024 * 1024, 'x');
      assert.equal((await connection.exec('wc -c', { stdin: big })).stdout.trim(), String(big.length));
      assert.equal((await connection.exec('printf "\\303\\251t\\303\\251"')).stdout, 'été');
    } finally {
      await connection.close();
    }
  });

  test('20 sequential and 20 concurrent commands share one SSH connection', async () => {
    const before = await logins();
    const connection = await connect(options());
    try {
      for (let i = 0; i < 20; i++) assert.equal((await connection.exec(`echo ${i}`)).stdout, `${i}\n`);
      // 20 at once is more than sshd's MaxSessions (10): the extra ones wait for a channel.
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
    assert.equal((await logins()) - before, 1);
  });

  test('a command past its timeout is stopped, and the connection goes on', async () => {
    const connection = await connect(options({ commandTimeoutMs: 400 }));
    try {
      const started = Date.now();
      await assert.rejects(connection.exec('sleep 30'), (error: unknown) => {
        assert.ok(error instanceof CommandTimeoutError);
        assert.equal(error.command, 'sleep 30');
        assert.equal(error.timeoutMs, 400);
        return true;
      });
      assert.ok(Date.now() - started < 15_000);
      await assert.rejects(connection.exec('sleep 30', { timeoutMs: 200 }), CommandTimeoutError);
      assert.equal((await connection.exec('echo still here', { timeoutMs: 60_000 })).stdout, 'still here\n');
      // (that a timed-out command is also killed is shown for a non-root login in transport-become:
      // sshd refuses signals to root sessions without privilege separation)
    } finally {
      await connection.close();
    }
  });

  test('a connection lost mid-command is reported as disconnected, then every command fails fast', async () => {
    const connection = await connect(options());
    // $PPID of the command's shell is the sshd process serving this connection
    const message = await unreachable(connection.exec('kill -9 $PPID; sleep 5'), 'disconnected');
    assert.match(message, /lost .* while running: kill -9 \$PPID; sleep 5/);
    await unreachable(connection.exec('echo again'), 'disconnected');
    await connection.close();
  });
});

describe('unreachable hosts say why', () => {
  let silent: Server;
  const accepted = new Set<Socket>();
  before(async () => {
    // accepts, never speaks SSH; reads, so that it sees the client hang up
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
    const message = await unreachable(connect(options({ port: 2299 })), 'refused');
    assert.equal(message, `connection refused by ${HOST}:2299; check that sshd runs there and listens on port 2299`);
  });

  test('connect timeout, apart from the command timeout', async () => {
    const started = Date.now();
    const message = await unreachable(
      connect(options({ address: SILENT, connectTimeoutMs: 500, commandTimeoutMs: 60_000 })),
      'timeout',
    );
    assert.ok(Date.now() - started < 10_000);
    assert.match(message, new RegExp(`${hostPattern(SILENT)}:2222 within 0\\.5 s`));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(accepted.size, 0, 'the timed-out connection was closed');
  });

  test('wrong login key', async () => {
    const wrong = join(dir, 'wrong');
    await generateKey(wrong);
    const message = await unreachable(connect(options({ privateKeyFiles: [wrong] })), 'authentication');
    assert.match(
      message,
      new RegExp(`^authentication failed for root@${hostPattern(HOST)}:2222 \\(tried key .*/wrong\\)`),
    );
  });

  test('encrypted key: right passphrase logs in, a wrong or missing one names the key file', async () => {
    const encrypted = join(dir, 'encrypted');
    const connection = await connect(options({ privateKeyFiles: [encrypted], privateKeyPassphrase: 'right horse' }));
    assert.equal((await connection.exec('echo in')).stdout, 'in\n');
    await connection.close();
    const wrong = await unreachable(
      connect(options({ privateKeyFiles: [encrypted], privateKeyPassphrase: 'wrong' })),
      'authentication',
    );
    assert.ok(wrong.includes(`private key ${encrypted} could not be decrypted: the passphrase is wrong`), wrong);
    const missing = await unreachable(connect(options({ privateKeyFiles: [encrypted] })), 'authentication');
    assert.ok(missing.includes(`private key ${encrypted} is encrypted and no passphrase was given`), missing);
  });
});

describe('host key checking', () => {
  test('strict: an unknown host fails before login, saying how to add the key', async () => {
    const empty = join(dir, 'kh_empty');
    await writeFile(empty, '');
    const before = (await sshd.log()).match(/Accepted|Failed/g)?.length ?? 0;
    const message = await unreachable(connect(options({ knownHostsFile: empty })), 'host-key-unknown');
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
    await writeFile(changed, `# fleet\n${HOST} ${otherKey}\n[${HOST}]:2222 ${otherKey}\n`);
    const message = await unreachable(connect(options({ knownHostsFile: changed })), 'host-key-changed');
    assert.equal(
      message,
      `host key for [${HOST}]:2222 CHANGED (${changed}:3); if the host was rebuilt, remove the old key with ssh-keygen -R '[${HOST}]:2222' -f ${changed}, otherwise treat it as a possible attack`,
    );
    // accept-new never overwrites a changed key
    await unreachable(connect(options({ knownHostsFile: changed, hostKeyChecking: 'accept-new' })), 'host-key-changed');
    assert.equal((await readFile(changed, 'utf8')).split('\n').length, 4);
  });

  test('a @revoked key is refused', async () => {
    const revoked = join(dir, 'kh_revoked');
    await writeFile(revoked, `${sshd.knownHostsLine()}@revoked * ${sshd.hostPublicKey}\n`);
    assert.match(await unreachable(connect(options({ knownHostsFile: revoked })), 'host-key-changed'), /REVOKED/);
  });

  test('accept-new records the key once; the next strict connection matches it', async () => {
    const fresh = join(dir, 'fresh', 'known_hosts');
    const connections = await Promise.all(
      Array.from({ length: 5 }, () => connect(options({ knownHostsFile: fresh, hostKeyChecking: 'accept-new' }))),
    );
    await Promise.all(connections.map((c) => c.close()));
    assert.equal(await readFile(fresh, 'utf8'), sshd.knownHostsLine());
    const strict = await connect(options({ knownHostsFile: fresh }));
    assert.equal((await strict.exec('echo ok')).stdout, 'ok\n');
    await strict.close();
  });

  test('off accepts any key', async () => {
    const connection = await connect(options({ knownHostsFile: join(dir, 'absent'), hostKeyChecking: 'off' }));
    await connection.close();
  });

  test('hashed known_hosts written by ssh-keygen -H', async () => {
    const hashed = join(dir, 'kh_hashed');
    await writeFile(hashed, sshd.knownHostsLine());
    execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'ignore' });
    assert.match(await readFile(hashed, 'utf8'), /^\|1\|/);
    const connection = await connect(options({ knownHostsFile: hashed }));
    await connection.close();
  });
});
