// become (sudo) over the OpenSSH client, with real users and a real sudo, as transport-become
// tests it for ssh2: passwordless and with a password (never on a command line), a wrong or
// missing password, and a timed-out become command stopped on the host.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectOpenSsh, type OpenSshOptions } from '../../src/transport/openssh/index.ts';
import { BecomeError, CommandTimeoutError, type ConnectOptions } from '../../src/transport/types.ts';
import { generateKey, makeTempDir, removeDir, reserveAddressBlock, startSshd, type TestSshd } from '../helpers/sshd.ts';

const block = reserveAddressBlock();
const NOPASSWD_USER = `slsos${block.octet}-nopw`;
const PASSWORD_USER = `slsos${block.octet}-pw`;
const PASSWORD = 'Correct-Horse 43';
const SUDOERS = `/etc/sudoers.d/sls-play-openssh-test-${block.octet}`;

let dir: string;
let sshd: TestSshd;
let clientKey: string;
let knownHosts: string;

function options(user: string, overrides: Partial<ConnectOptions> = {}): OpenSshOptions {
  const base: ConnectOptions = {
    name: 'web-07',
    address: sshd.address,
    port: sshd.port,
    user,
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
      user,
      port: base.port,
      identityFiles: base.privateKeyFiles,
      hostKeyChecking: 'strict',
      hostKeyCheckingExplicit: true,
      knownHostsFile: knownHosts,
      connectTimeoutMs: base.connectTimeoutMs,
    },
  };
}

function removeUsers(): void {
  for (const user of [NOPASSWD_USER, PASSWORD_USER]) spawnSync('userdel', ['-r', '-f', user], { stdio: 'ignore' });
  rmSync(SUDOERS, { force: true });
}

before(async () => {
  delete process.env.SSH_AUTH_SOCK;
  removeUsers();
  for (const user of [NOPASSWD_USER, PASSWORD_USER]) execFileSync('useradd', ['-m', '-s', '/bin/bash', user]);
  execFileSync('usermod', ['-p', '*', NOPASSWD_USER]);
  execFileSync('chpasswd', { input: `${PASSWORD_USER}:${PASSWORD}\n` });
  writeFileSync(SUDOERS, `${NOPASSWD_USER} ALL=(ALL) NOPASSWD: ALL\n${PASSWORD_USER} ALL=(ALL) ALL\n`, { mode: 0o440 });
  execFileSync('visudo', ['-c', '-q', '-f', SUDOERS]);
  dir = await makeTempDir('sls-openssh-become-');
  clientKey = join(dir, 'client');
  sshd = await startSshd({ dir, address: `${block.prefix}.31`, authorizedKeys: [await generateKey(clientKey)] });
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
  const connection = await connectOpenSsh(options(NOPASSWD_USER, { become: { enabled: true, user: 'root' } }));
  try {
    assert.deepEqual(await connection.exec('id -u'), { code: 0, stdout: '0\n', stderr: '' });
    assert.equal((await connection.exec('id -un', { become: false })).stdout, `${NOPASSWD_USER}\n`);
    assert.deepEqual(await connection.exec('cat; echo done >&2; exit 7', { stdin: 'line 1\nline 2\n' }), {
      code: 7,
      stdout: 'line 1\nline 2\n',
      stderr: 'done\n',
    });
  } finally {
    await connection.close();
  }
});

test('sudo with a password: root, stdin intact, and the password in no process list', async () => {
  const connection = await connectOpenSsh(
    options(PASSWORD_USER, { become: { enabled: true, user: 'root', password: PASSWORD } }),
  );
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

test('a wrong sudo password, or none where one is asked: the ssh2 client words', async () => {
  const wrong = await connectOpenSsh(
    options(PASSWORD_USER, { become: { enabled: true, user: 'root', password: 'wrong-password' } }),
  );
  try {
    await assert.rejects(wrong.exec('id -u'), (error: unknown) => {
      assert.ok(error instanceof BecomeError, String(error));
      assert.equal(
        error.message,
        `sudo password rejected for ${PASSWORD_USER}@web-07; check ansible_become_password or the -K answer`,
      );
      return true;
    });
    assert.equal((await wrong.exec('id -un', { become: false })).stdout, `${PASSWORD_USER}\n`);
  } finally {
    await wrong.close();
  }
  const none = await connectOpenSsh(options(PASSWORD_USER, { become: { enabled: true, user: 'root' } }));
  try {
    await assert.rejects(none.exec('id -u', { timeoutMs: 15_000 }), (error: unknown) => {
      assert.ok(error instanceof BecomeError, String(error));
      assert.equal(error.reason, 'password-required');
      return true;
    });
  } finally {
    await none.close();
  }
});

test('a timed-out become command is stopped on the host, not left running', async () => {
  const connection = await connectOpenSsh(options(NOPASSWD_USER, { become: { enabled: true, user: 'root' } }));
  try {
    await assert.rejects(connection.exec(`sleep 38.${block.octet}`, { timeoutMs: 1_000 }), CommandTimeoutError);
    let left = '';
    for (let i = 0; i < 40; i++) {
      left = spawnSync('pgrep', ['-f', `sleep 38.${block.octet}`], { encoding: 'utf8' }).stdout.trim();
      if (left === '') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(left, '', 'no sleep left behind');
    assert.equal((await connection.exec('id -u')).stdout, '0\n');
  } finally {
    await connection.close();
  }
});
