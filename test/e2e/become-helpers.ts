// The become (sudo) contract both SSH clients keep, as one test body: real users and a real sudo,
// passwordless and with a password (never on a command line), a wrong or missing password, and a
// timed-out become command stopped on the host. Each test file runs it for one client, with users,
// a sudoers file and an address of its own so the files can run at the same time.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BecomeError, CommandTimeoutError, type ConnectOptions, type Connection } from '../../src/transport/types.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startSshd, type TestSshd } from '../helpers/sshd.ts';
import { connectOptionsFor } from '../helpers/connect-options.ts';

export interface BecomeSuite {
  /** Connects with the client under test. */
  connect: (options: ConnectOptions) => Promise<Connection>;
  /** Prefix of the Linux users this file creates (with the block's octet). */
  userPrefix: string;
  password: string;
  /** Names this file's /etc/sudoers.d entry. */
  sudoersName: string;
  /** Last octet of the sshd address in the file's block. */
  hostOctet: number;
  /** Makes the timed-out sleep's command line this file's own, for pgrep. */
  sleepSeconds: number;
  /** How long a timed-out command may take to be gone from the host. */
  killWaitMs: number;
  tempPrefix?: string;
}

export function becomeTests(suite: BecomeSuite): void {
  const block = reserveAddressBlock();
  const NOPASSWD_USER = `${suite.userPrefix}${block.octet}-nopw`;
  const PASSWORD_USER = `${suite.userPrefix}${block.octet}-pw`;
  const PASSWORD = suite.password;
  const SUDOERS = `/etc/sudoers.d/${suite.sudoersName}-${block.octet}`;

  let dir: string;
  let sshd: TestSshd;
  let clientKey: string;
  let knownHosts: string;

  function connectAs(user: string, overrides: Partial<ConnectOptions> = {}): Promise<Connection> {
    const to = { name: 'web-07', address: sshd.address, port: sshd.port, user };
    return suite.connect(connectOptionsFor(to, { key: clientKey, knownHosts }, overrides));
  }

  /** A connection as `user` whose commands become root with sudo and `password`. */
  function becomeRoot(user: string, password?: string): Promise<Connection> {
    return connectAs(user, {
      become: { enabled: true, user: 'root', ...(password === undefined ? {} : { password }) },
    });
  }

  function removeUsers(): void {
    for (const user of [NOPASSWD_USER, PASSWORD_USER]) spawnSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
    rmSync(SUDOERS, { force: true });
  }

  before(async () => {
    delete process.env.SSH_AUTH_SOCK;
    removeUsers();
    for (const user of [NOPASSWD_USER, PASSWORD_USER]) execFileSync('useradd', ['-m', '-s', '/bin/bash', user]);
    // sshd without PAM refuses a locked ('!') account even for key logins; '*' only disables passwords.
    execFileSync('usermod', ['-p', '*', NOPASSWD_USER]);
    execFileSync('chpasswd', { input: `${PASSWORD_USER}:${PASSWORD}\n` });
    writeFileSync(SUDOERS, `${NOPASSWD_USER} ALL=(ALL) NOPASSWD: ALL\n${PASSWORD_USER} ALL=(ALL) ALL\n`, {
      mode: 0o440,
    });
    execFileSync('visudo', ['-c', '-q', '-f', SUDOERS]);

    dir = await makeTempDir(suite.tempPrefix);
    clientKey = join(dir, 'client');
    const address = `${block.prefix}.${suite.hostOctet}`;
    sshd = await startSshd({ dir, address, authorizedKeys: [await generateKey(clientKey)] });
    knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshd.knownHostsLine());
  });

  after(async () => {
    await sshd?.stop();
    if (dir) await removeDir(dir);
    removeUsers();
    block.release();
  });

  test('passwordless sudo: root for become commands, the login user otherwise, stdin intact', async () => {
    const connection = await becomeRoot(NOPASSWD_USER);
    try {
      assert.deepEqual(await connection.exec('id -u'), { code: 0, stdout: '0\n', stderr: '' });
      assert.equal((await connection.exec('id -un', { become: false })).stdout, `${NOPASSWD_USER}\n`);
      assert.deepEqual(await connection.exec('cat; echo done >&2; exit 7', { stdin: 'line 1\nline 2\n' }), {
        code: 7,
        stdout: 'line 1\nline 2\n',
        stderr: 'done\n',
      });
      assert.equal((await connection.exec(`printf '%s' "it's \\$HOME"`)).stdout, "it's $HOME");
    } finally {
      await connection.close();
    }
  });

  test('a password given to a passwordless sudo never leaks into the command stdin', async () => {
    const connection = await becomeRoot(NOPASSWD_USER, PASSWORD);
    try {
      assert.deepEqual(await connection.exec('id -u; cat', { stdin: 'only this\n' }), {
        code: 0,
        stdout: '0\nonly this\n',
        stderr: '',
      });
    } finally {
      await connection.close();
    }
  });

  test('sudo with a password: root, stdin intact, and the password in no process list', async () => {
    const connection = await becomeRoot(PASSWORD_USER, PASSWORD);
    try {
      const running = connection.exec('id -u; cat; sleep 2', { stdin: 'payload\n' });
      let processes = '';
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 150));
        processes += execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
      }
      assert.match(processes, /sudo -S -p SLSPLAY-BECOME-PROMPT/, 'the sudo command was seen');
      assert.ok(!processes.includes(PASSWORD), 'the password is on no command line');
      assert.deepEqual(await running, { code: 0, stdout: '0\npayload\n', stderr: '' });
    } finally {
      await connection.close();
    }
  });

  test('a wrong sudo password is a clear failure naming user and host, without the password', async () => {
    const connection = await becomeRoot(PASSWORD_USER, 'wrong-password');
    try {
      await assert.rejects(connection.exec('id -u'), (error: unknown) => {
        assert.ok(error instanceof BecomeError, String(error));
        assert.equal(error.reason, 'password-rejected');
        assert.equal(
          error.message,
          `sudo password rejected for ${PASSWORD_USER}@web-07; check ansible_become_password or the -K answer`,
        );
        assert.ok(!error.message.includes('wrong-password'));
        return true;
      });
      // the connection is still good for commands that need no sudo
      assert.equal((await connection.exec('id -un', { become: false })).stdout, `${PASSWORD_USER}\n`);
    } finally {
      await connection.close();
    }
  });

  test('sudo asking for a password that was not given fails at once instead of hanging', async () => {
    const connection = await becomeRoot(PASSWORD_USER);
    try {
      await assert.rejects(connection.exec('id -u', { timeoutMs: 15_000 }), (error: unknown) => {
        assert.ok(error instanceof BecomeError, String(error));
        assert.equal(error.reason, 'password-required');
        return true;
      });
    } finally {
      await connection.close();
    }
  });

  test('a timed-out become command is stopped on the host, not left running', async () => {
    const connection = await becomeRoot(NOPASSWD_USER);
    const sleep = `sleep ${suite.sleepSeconds}.${block.octet}`;
    try {
      await assert.rejects(connection.exec(sleep, { timeoutMs: 1_000 }), CommandTimeoutError);
      let left = '';
      for (let waited = 0; waited < suite.killWaitMs; waited += 250) {
        left = spawnSync('pgrep', ['-f', sleep], { encoding: 'utf8' }).stdout.trim();
        if (left === '') break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(left, '', 'no sleep left behind');
      assert.equal((await connection.exec('id -u')).stdout, '0\n');
    } finally {
      await connection.close();
    }
  });
}
