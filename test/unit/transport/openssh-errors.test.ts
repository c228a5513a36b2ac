import assert from 'node:assert/strict';
import { test } from 'node:test';
import { masterFailure, type MasterTarget } from '../../../src/transport/openssh/errors.ts';

const target: MasterTarget = {
  address: '10.0.4.7',
  port: 22,
  user: 'deploy',
  knownHostsFile: '/home/me/.ssh/known_hosts',
  hostKeyChecking: 'strict',
  connectTimeoutMs: 10_000,
};

/** ssh's host key failure, with the known_hosts line (in /kh) that carries a marker for the host. */
function markedKeyFailure(stderr: string, entry: { line: number; marker: 'revoked' | 'cert-authority' }) {
  return masterFailure(stderr, 255, target, [
    { ...entry, file: '/kh', patterns: ['*'], keyType: 'ssh-ed25519', key: 'AAAA' },
  ]);
}

test("ssh's words become the ssh2 client's reasons and advice", () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'ssh: connect to host 10.0.4.7 port 22: Connection refused\r\n',
      'refused',
      /^connection refused by 10\.0\.4\.7:22; check that sshd runs/,
    ],
    ['ssh: Could not resolve hostname nohost: Name or service not known\r\n', 'dns', /^cannot resolve 10\.0\.4\.7/],
    [
      'ssh: connect to host 10.0.4.7 port 22: Connection timed out\r\n',
      'timeout',
      /^no answer from 10\.0\.4\.7:22 within 10 s/,
    ],
    ['Connection timed out during banner exchange\r\n', 'timeout', /^no SSH handshake from 10\.0\.4\.7:22 within 10 s/],
    [
      'deploy@10.0.4.7: Permission denied (publickey).\r\n',
      'authentication',
      /^authentication failed for deploy@10\.0\.4\.7:22 \(ssh: deploy@10\.0\.4\.7: Permission denied \(publickey\)\.\); check ansible_user/,
    ],
    [
      'No ED25519 host key is known for 10.0.4.7 and you have requested strict checking.\r\nHost key verification failed.\r\n',
      'host-key-unknown',
      /^host key for 10\.0\.4\.7 is not in \/home\/me\/\.ssh\/known_hosts; verify it and add it \(ssh-keyscan -t ssh-ed25519 -p 22 10\.0\.4\.7/,
    ],
    [
      '@@@@\r\n@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @\r\nOffending ECDSA key in /home/me/.ssh/known_hosts:12\r\nHost key verification failed.\r\n',
      'host-key-changed',
      /^host key for 10\.0\.4\.7 CHANGED \(\/home\/me\/\.ssh\/known_hosts:12\)/,
    ],
    [
      'aws: error: the SSM agent is offline\r\nkex_exchange_identification: Connection closed by remote host\r\n',
      'disconnected',
      /closed the connection during the SSH handshake \(aws: error: the SSM agent is offline\)/,
    ],
  ];
  for (const [stderr, reason, message] of cases) {
    const error = masterFailure(stderr, 255, target);
    assert.equal(error.reason, reason, stderr);
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'));
  }
});

test('a revoked key names its known_hosts line, which ssh does not', () => {
  const error = markedKeyFailure(
    '@ WARNING: REVOKED HOST KEY DETECTED! @\r\nThe ED25519 host key for 10.0.4.7 is marked as revoked.\r\nHost key verification failed.\r\n',
    { line: 3, marker: 'revoked' },
  );
  assert.equal(error.reason, 'host-key-changed');
  assert.match(error.message, /REVOKED \(\/kh:3\)/);
});

test('a host that only a CA vouches for is never told to ssh-keyscan it or accept a new key', () => {
  const error = markedKeyFailure(
    'No ED25519 host key is known for 10.0.4.7 and you have requested strict checking.\r\nHost key verification failed.\r\n',
    { line: 1, marker: 'cert-authority' },
  );
  assert.equal(error.reason, 'host-key-unknown');
  assert.match(error.message, /only through a CA \(@cert-authority, .*\/kh:1\)/);
  assert.doesNotMatch(error.message, /ssh-keyscan|accept-new/);
});
