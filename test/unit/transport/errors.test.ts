import assert from 'node:assert/strict';
import { test } from 'node:test';
import { unreachableFrom } from '../../../src/transport/errors.ts';
import { UnreachableError } from '../../../src/transport/types.ts';

const to = { address: 'web-01.example', port: 22, user: 'deploy' };
const withCode = (code: string) => Object.assign(new Error(code), { code });

test('socket and ssh2 errors become one-line reasons', () => {
  assert.equal(unreachableFrom(withCode('ECONNREFUSED'), to, 10_000).reason, 'refused');
  assert.equal(unreachableFrom(withCode('ENOTFOUND'), to, 10_000).reason, 'dns');
  assert.equal(unreachableFrom(withCode('EAI_AGAIN'), to, 10_000).reason, 'dns');
  assert.equal(unreachableFrom(withCode('ETIMEDOUT'), to, 10_000).reason, 'timeout');
  assert.equal(unreachableFrom(withCode('ECONNRESET'), to, 10_000).reason, 'disconnected');
  const handshake = unreachableFrom(
    Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }),
    to,
    2_500,
  );
  assert.equal(handshake.reason, 'timeout');
  assert.equal(
    handshake.message,
    'no SSH handshake from web-01.example:22 within 2.5 s; check that an SSH server answers on port 22',
  );
  assert.equal(
    unreachableFrom(withCode('ENOTFOUND'), to, 1).message,
    'cannot resolve web-01.example; check ansible_host or the HostName in your ssh config',
  );
  const other = unreachableFrom(new Error('odd'), to, 1);
  assert.equal(other.reason, 'other');
  assert.equal(other.message, 'SSH to deploy@web-01.example:22 failed: odd');
  const given = new UnreachableError('authentication', 'x');
  assert.equal(unreachableFrom(given, to, 1), given);
});
