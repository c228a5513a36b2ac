import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectLocal } from '../../../src/transport/local.ts';
import { CommandTimeoutError } from '../../../src/transport/types.ts';

test('local exec: stdout, stderr, exit code and stdin', async () => {
  const local = await connectLocal('localhost');
  assert.equal(local.host, 'localhost');
  const result = await local.exec('cat; echo out; echo err >&2; exit 5', { stdin: 'from stdin\n' });
  assert.deepEqual(result, { code: 5, stdout: 'from stdin\nout\n', stderr: 'err\n' });
  assert.deepEqual(
    await local.exec('cat'),
    { code: 0, stdout: '', stderr: '' },
    'no stdin is an immediate end of input',
  );
});

test('local exec: a timeout stops the whole command and throws CommandTimeoutError', async () => {
  const local = await connectLocal('localhost');
  const started = Date.now();
  await assert.rejects(local.exec('sleep 20 | cat; echo never', { timeoutMs: 300 }), (error: unknown) => {
    assert.ok(error instanceof CommandTimeoutError);
    assert.equal(error.command, 'sleep 20 | cat; echo never');
    return true;
  });
  assert.ok(Date.now() - started < 5_000);
});

test('local exec: become as the current user runs directly', async () => {
  const local = await connectLocal('localhost', {
    become: { enabled: true, user: (await import('node:os')).userInfo().username },
  });
  assert.equal((await local.exec('echo ok')).stdout, 'ok\n');
});
