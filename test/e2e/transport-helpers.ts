// The transport contract both SSH clients keep, as one test body run against a real OpenSSH server
// on a 127.N block of the file's own: exec with stdin, one connection per host, timeouts, a lost
// connection, every reason a host is unreachable in the same words, and host key checking.
// transport.test.ts runs it for ssh2 and openssh-transport.test.ts for the OpenSSH client; each
// adds the tests only its client has.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CommandTimeoutError,
  UnreachableError,
  type ConnectOptions,
  type Connection,
  type UnreachableReason,
} from '../../src/transport/types.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { connectOptionsFor } from '../helpers/connect-options.ts';

export interface TransportClient {
  connect: (options: ConnectOptions) => Promise<Connection>;
  tempPrefix?: string;
  /**
   * Whether a timed-out command of a root login is shown killed on the host (the OpenSSH client
   * closes its session; for ssh2, sshd refuses signals to root sessions without privilege
   * separation, so transport-become shows it for a non-root login).
   */
  killsTimedOutRootCommand: boolean;
  /** How the wrong-key message goes on after `root@host:2222 (`, as a regular expression. */
  wrongKeyDetail: string;
  /** How long after a connect timeout the silent server must have seen the client hang up. */
  hangUpWaitMs: number;
  /** Client-only checks on the connection of the 20 + 20 commands test, while open and once closed. */
  sharedConnection?: {
    whileOpen: (connection: Connection) => void;
    afterClose: (connection: Connection, commandsRun: number) => void;
  };
}

export interface TransportFixture {
  HOST: string;
  SILENT: string;
  dir: string;
  sshd: TestSshd;
  options: (overrides?: Partial<ConnectOptions>) => ConnectOptions;
}

export const hostPattern = (host: string) => host.replace(/\./g, '\\.');

export async function unreachable(promise: Promise<unknown>, reason: UnreachableReason): Promise<string> {
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

/** Starts the file's sshd, runs the shared tests, and hands back what the file's own tests need. */
export function transportTests(client: TransportClient): TransportFixture {
  const block = reserveAddressBlock();
  let clientKey: string;
  let knownHosts: string;
  const fx: TransportFixture = {
    HOST: `${block.prefix}.1`,
    SILENT: `${block.prefix}.2`,
    dir: '',
    sshd: undefined as unknown as TestSshd,
    options: (overrides = {}) =>
      connectOptionsFor(
        { name: 'h1', address: fx.sshd.address, port: fx.sshd.port },
        { key: clientKey, knownHosts },
        overrides,
      ),
  };

  before(async () => {
    delete process.env.SSH_AUTH_SOCK; // only the keys these tests name
    fx.dir = await makeTempDir(client.tempPrefix);
    clientKey = join(fx.dir, 'client');
    const publicKey = await generateKey(clientKey);
    const encrypted = await generateKey(join(fx.dir, 'encrypted'), 'ed25519', 'right horse');
    fx.sshd = await startSshd({ dir: fx.dir, address: fx.HOST, authorizedKeys: [publicKey, encrypted] });
    knownHosts = join(fx.dir, 'known_hosts');
    await writeFile(knownHosts, fx.sshd.knownHostsLine());
  });

  after(async () => {
    await fx.sshd?.stop();
    await removeDir(fx.dir);
    block.release();
  });

  execTests(client, fx);
  unreachableTests(client, fx);
  hostKeyTests(client, fx);
  return fx;
}

async function sshdLog(sshd: TestSshd): Promise<{ logins: number; commands: number }> {
  const log = await sshd.log();
  return {
    logins: (log.match(/Accepted publickey/g) ?? []).length,
    commands: (log.match(/Starting session: command /g) ?? []).length,
  };
}

function execTests(client: TransportClient, fx: TransportFixture): void {
  describe('exec over one connection', () => {
    test('stdout, stderr, exit code and stdin', async () => {
      const connection = await client.connect(fx.options());
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
        assert.deepEqual(
          await connection.exec('exit 255'),
          { code: 255, stdout: '', stderr: '' },
          "a command's own 255",
        );
      } finally {
        await connection.close();
      }
    });

    test('20 sequential and 20 concurrent commands share one SSH connection', async () => {
      const before = await sshdLog(fx.sshd);
      const connection = await client.connect(fx.options());
      try {
        client.sharedConnection?.whileOpen(connection);
        for (let i = 0; i < 20; i++) assert.equal((await connection.exec(`echo ${i}`)).stdout, `${i}\n`);
        // 20 at once is more than sshd's MaxSessions (10): the extra ones wait for a channel.
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) => connection.exec(`sleep 0.2; echo ${i}`)),
        );
        assert.deepEqual(
          results.map((r) => r.stdout),
          Array.from({ length: 20 }, (_, i) => `${i}\n`),
        );
        const dst = `dst ${fx.sshd.address}:${fx.sshd.port}`;
        const established = execFileSync('ss', ['-Htn', 'state', 'established', dst], { encoding: 'utf8' });
        assert.equal(established.trim().split('\n').filter(Boolean).length, 1, established);
      } finally {
        await connection.close();
      }
      const seen = await sshdLog(fx.sshd);
      assert.equal(seen.logins - before.logins, 1, 'one login');
      client.sharedConnection?.afterClose(connection, seen.commands - before.commands);
    });

    test('a command past its timeout is stopped, and the connection goes on', async () => {
      const connection = await client.connect(fx.options({ commandTimeoutMs: 400 }));
      try {
        const started = Date.now();
        await assert.rejects(connection.exec('sleep 30'), (error: unknown) => {
          assert.ok(error instanceof CommandTimeoutError);
          assert.equal(error.command, 'sleep 30');
          assert.equal(error.timeoutMs, 400);
          return true;
        });
        assert.ok(Date.now() - started < 15_000);
        if (client.killsTimedOutRootCommand) await timedOutCommandKilled(connection);
        else await assert.rejects(connection.exec('sleep 30', { timeoutMs: 200 }), CommandTimeoutError);
        assert.equal((await connection.exec('echo still here', { timeoutMs: 60_000 })).stdout, 'still here\n');
      } finally {
        await connection.close();
      }
    });

    test('a connection lost mid-command is reported as disconnected, then every command fails fast', async () => {
      const connection = await client.connect(fx.options());
      // $PPID of the command's shell is the sshd process serving this connection
      const message = await unreachable(connection.exec('kill -9 $PPID; sleep 5'), 'disconnected');
      assert.match(message, /lost .* while running: kill -9 \$PPID; sleep 5/);
      await unreachable(connection.exec('echo again'), 'disconnected');
      await connection.close();
    });
  });
}

async function timedOutCommandKilled(connection: Connection): Promise<void> {
  const marker = `sls-openssh-timeout-${process.pid}`;
  await assert.rejects(connection.exec(`sleep 31; echo ${marker}`, { timeoutMs: 300 }), CommandTimeoutError);
  const running = () => spawnSync('pgrep', ['-f', `sleep 31; echo ${marker}`], { encoding: 'utf8' }).stdout.trim();
  for (let waited = 0; running() !== '' && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  assert.equal(running(), '', 'the timed-out command was killed on the host');
}

function unreachableTests(client: TransportClient, fx: TransportFixture): void {
  describe('unreachable hosts say why', () => {
    let silent: Server;
    const accepted = new Set<Socket>();
    before(async () => {
      // accepts, never speaks SSH; reads, so that it sees the client hang up
      silent = createServer((socket) => {
        accepted.add(socket.resume());
        socket.on('close', () => accepted.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(2222, fx.SILENT, () => resolve()));
    });
    after(async () => {
      for (const socket of accepted) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    test('refused port', async () => {
      const message = await unreachable(client.connect(fx.options({ port: 2299 })), 'refused');
      assert.equal(
        message,
        `connection refused by ${fx.HOST}:2299; check that sshd runs there and listens on port 2299`,
      );
    });

    test('connect timeout, apart from the command timeout', async () => {
      const started = Date.now();
      const message = await unreachable(
        client.connect(fx.options({ address: fx.SILENT, connectTimeoutMs: 500, commandTimeoutMs: 60_000 })),
        'timeout',
      );
      assert.ok(Date.now() - started < 10_000);
      assert.match(message, new RegExp(`${hostPattern(fx.SILENT)}:2222 within 0\\.5 s`));
      await new Promise((r) => setTimeout(r, client.hangUpWaitMs));
      assert.equal(accepted.size, 0, 'the timed-out connection was closed');
    });

    test('wrong login key', async () => {
      const wrong = join(fx.dir, 'wrong');
      await generateKey(wrong);
      const message = await unreachable(client.connect(fx.options({ privateKeyFiles: [wrong] })), 'authentication');
      assert.match(
        message,
        new RegExp(`^authentication failed for root@${hostPattern(fx.HOST)}:2222 \\(${client.wrongKeyDetail}`),
      );
    });
  });
}

function hostKeyTests(client: TransportClient, fx: TransportFixture): void {
  describe('host key checking', () => {
    test('strict: an unknown host fails before login, saying how to add the key', async () => {
      const empty = join(fx.dir, 'kh_empty');
      await writeFile(empty, '');
      const before = (await fx.sshd.log()).match(/Accepted|Failed/g)?.length ?? 0;
      const message = await unreachable(client.connect(fx.options({ knownHostsFile: empty })), 'host-key-unknown');
      assert.equal(
        message,
        `host key for [${fx.HOST}]:2222 is not in ${empty}; verify it and add it (ssh-keyscan -t ssh-ed25519 -p 2222 ${fx.HOST} >> ${empty}), or use --host-key-checking accept-new`,
      );
      assert.equal((await fx.sshd.log()).match(/Accepted|Failed/g)?.length ?? 0, before, 'no credential was offered');
    });

    test('strict: a changed key fails, naming the file and line', async () => {
      const HOST = fx.HOST;
      const otherKey = (await generateKey(join(fx.dir, 'other_host_key'))).split(' ').slice(0, 2).join(' ');
      const changed = join(fx.dir, 'kh_changed');
      await writeFile(changed, `# fleet\n${HOST} ${otherKey}\n[${HOST}]:2222 ${otherKey}\n`);
      const message = await unreachable(client.connect(fx.options({ knownHostsFile: changed })), 'host-key-changed');
      assert.equal(
        message,
        `host key for [${HOST}]:2222 CHANGED (${changed}:3); if the host was rebuilt, remove the old key with ssh-keygen -R '[${HOST}]:2222' -f ${changed}, otherwise treat it as a possible attack`,
      );
      // accept-new never overwrites a changed key
      const acceptNew = fx.options({ knownHostsFile: changed, hostKeyChecking: 'accept-new' });
      await unreachable(client.connect(acceptNew), 'host-key-changed');
      assert.equal((await readFile(changed, 'utf8')).split('\n').length, 4);
    });

    test('a @revoked key is refused, naming the file and line', async () => {
      const revoked = join(fx.dir, 'kh_revoked');
      await writeFile(revoked, `${fx.sshd.knownHostsLine()}@revoked * ${fx.sshd.hostPublicKey}\n`);
      const message = await unreachable(client.connect(fx.options({ knownHostsFile: revoked })), 'host-key-changed');
      assert.match(message, new RegExp(`REVOKED \\(${revoked}:2\\)`));
    });

    test('off accepts any key and records nothing', async () => {
      const absent = join(fx.dir, 'absent');
      const connection = await client.connect(fx.options({ knownHostsFile: absent, hostKeyChecking: 'off' }));
      await connection.close();
      assert.ok(!existsSync(absent));
    });

    test('hashed known_hosts written by ssh-keygen -H', async () => {
      const hashed = join(fx.dir, 'kh_hashed');
      await writeFile(hashed, fx.sshd.knownHostsLine());
      execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed], { stdio: 'ignore' });
      assert.match(await readFile(hashed, 'utf8'), /^\|1\|/);
      const connection = await client.connect(fx.options({ knownHostsFile: hashed }));
      await connection.close();
    });
  });
}
