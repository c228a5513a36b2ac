// The ssh2 transport against real OpenSSH servers on a 127.0.N block of their own: the shared
// transport contract (transport-helpers.ts), then what only this client has: encrypted keys and
// accept-new written by concurrent connections.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect } from '../../src/transport/index.ts';
import { transportTests, unreachable } from './transport-helpers.ts';

const fx = transportTests({
  connect,
  killsTimedOutRootCommand: false,
  wrongKeyDetail: 'tried key .*/wrong\\)',
  hangUpWaitMs: 200,
});

describe('ssh2 keys', () => {
  test('encrypted key: right passphrase logs in, a wrong or missing one names the key file', async () => {
    const encrypted = join(fx.dir, 'encrypted');
    const connection = await connect(fx.options({ privateKeyFiles: [encrypted], privateKeyPassphrase: 'right horse' }));
    assert.equal((await connection.exec('echo in')).stdout, 'in\n');
    await connection.close();
    const wrong = await unreachable(
      connect(fx.options({ privateKeyFiles: [encrypted], privateKeyPassphrase: 'wrong' })),
      'authentication',
    );
    assert.ok(wrong.includes(`private key ${encrypted} could not be decrypted: the passphrase is wrong`), wrong);
    const missing = await unreachable(connect(fx.options({ privateKeyFiles: [encrypted] })), 'authentication');
    assert.ok(missing.includes(`private key ${encrypted} is encrypted and no passphrase was given`), missing);
  });

  test('accept-new records the key once; the next strict connection matches it', async () => {
    const fresh = join(fx.dir, 'fresh', 'known_hosts');
    const connections = await Promise.all(
      Array.from({ length: 5 }, () => connect(fx.options({ knownHostsFile: fresh, hostKeyChecking: 'accept-new' }))),
    );
    await Promise.all(connections.map((c) => c.close()));
    assert.equal(await readFile(fresh, 'utf8'), fx.sshd.knownHostsLine());
    const strict = await connect(fx.options({ knownHostsFile: fresh }));
    assert.equal((await strict.exec('echo ok')).stdout, 'ok\n');
    await strict.close();
  });
});
