// The OpenSSH client against real OpenSSH servers: the same contract as the ssh2 client
// (transport-helpers.ts, run by transport.test.ts too), then what only this client has: its
// master connection and ControlPath, ProxyCommand, and accept-new in OpenSSH's own format.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectOpenSsh } from '../../src/transport/openssh/index.ts';
import type { ConnectOptions, Connection } from '../../src/transport/types.ts';
import { openSshOptionsFor } from '../helpers/connect-options.ts';
import { hostPattern, transportTests, unreachable } from './transport-helpers.ts';

const controlPath = (connection: Connection) => (connection as unknown as { controlPath: string }).controlPath;

const fx = transportTests({
  connect: (options) => connectOpenSsh(openSshOptionsFor(options)),
  tempPrefix: 'sls-openssh-',
  killsTimedOutRootCommand: true,
  wrongKeyDetail: 'ssh: .*Permission denied',
  hangUpWaitMs: 300,
  sharedConnection: {
    whileOpen: (connection) => {
      const mode = (readFileMode(dirname(controlPath(connection))) & 0o777).toString(8);
      assert.equal(mode, '700', 'a private ControlPath directory');
    },
    afterClose: (connection, commandsRun) => {
      assert.equal(commandsRun, 40, 'one session per command, none for -O check/exit');
      assert.ok(!existsSync(controlPath(connection)), 'the master removed its socket on -O exit');
      assert.deepEqual(readdirSync(dirname(controlPath(connection))), []);
    },
  },
});

const options = (overrides: Partial<ConnectOptions> = {}) => openSshOptionsFor(fx.options(overrides));

function readFileMode(path: string): number {
  return Number(execFileSync('stat', ['-c', '%a', path], { encoding: 'utf8' }).trim().replace(/^/, '0o'));
}

/** The master's pid, as `ssh -O check` reports it. */
function masterPid(connection: Connection): number {
  const path = controlPath(connection);
  const said = spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${path}`, '-O', 'check', 'x'], {
    encoding: 'utf8',
  }).stderr;
  const pid = Number(/pid=(\d+)/.exec(said)?.[1]);
  assert.ok(pid > 0, said);
  return pid;
}

describe('the master connection', () => {
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
});

describe('ProxyCommand, as cloud tunnels use it', () => {
  test('a stdio relay carries the connection, with %h and %p expanded', async () => {
    const relay = join(fx.dir, 'relay.mjs');
    const seen = join(fx.dir, 'relay-args');
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
    assert.equal(await readFile(seen, 'utf8'), `${fx.HOST} 2222\n`, 'one connection, through the relay');
  });

  test('a tunnel that fails: unreachable, in its own words', async () => {
    const via = options();
    via.master.userArgs = ['-o', `ProxyCommand=sh -c 'echo "TargetNotConnected: %h is not connected" >&2; exit 1'`];
    const message = await unreachable(connectOpenSsh(via), 'disconnected');
    assert.match(message, new RegExp(`TargetNotConnected: ${hostPattern(fx.HOST)} is not connected`));
  });
});

describe('OpenSSH host key format', () => {
  test('accept-new records the key; the next strict connection matches it', async () => {
    const fresh = join(fx.dir, 'fresh_known_hosts');
    const first = await connectOpenSsh(options({ knownHostsFile: fresh, hostKeyChecking: 'accept-new' }));
    await first.close();
    assert.match(await readFile(fresh, 'utf8'), new RegExp(`^\\[${hostPattern(fx.HOST)}\\]:2222 ssh-ed25519 `));
    const strict = await connectOpenSsh(options({ knownHostsFile: fresh }));
    assert.equal((await strict.exec('echo ok')).stdout, 'ok\n');
    await strict.close();
  });
});
