// The owed-handlers record rides along with the host's next command: before the change it is
// owed for, never in check mode, and a record that cannot be written stops the change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwedLedger } from '../../../src/tasks/owed/ledger.ts';
import { Redactor } from '../../../src/secrets/redactor.ts';
import { HostSession, OwedRecordError } from '../../../src/tasks/context.ts';
import type { Connection, ExecOptions, ExecResult } from '../../../src/transport/types.ts';

function recorder(answer: (command: string) => ExecResult = () => ({ code: 0, stdout: '', stderr: '' })) {
  const sent: { command: string; options?: ExecOptions }[] = [];
  const connection: Connection = {
    host: 'h',
    exec: async (command, options) => {
      sent.push({ command, options });
      return answer(command);
    },
    close: async () => undefined,
  };
  return { sent, connection };
}

function session(connection: Connection, check = false) {
  const s = new HostSession('h', {}, connection, { check, diff: false, become: true }, () => undefined, new Redactor());
  const ledger = new OwedLedger(
    'pb',
    ['restart'],
    { id: 'r1', startedAt: '2026-12-03T08:00:00.000Z' },
    '/var/lib/sls-play/f.json',
  );
  ledger.load(null);
  s.owed = { ledger, dir: undefined, file: 'f.json' };
  return { s, ledger };
}

test('the record leads the next command, once; the command itself is unchanged after it', async () => {
  const { sent, connection } = recorder();
  const { s, ledger } = session(connection);
  ledger.owe(['restart'], 'config');
  await s.applyContext().exec('write the config', { stdin: 'content' });
  await s.applyContext().exec('restart');
  assert.equal(sent.length, 2);
  assert.match(sent[0]!.command, /^if ! \( umask 077 .*f\.json/s);
  assert.match(sent[0]!.command, /"handler":"restart","notifiedBy":"config"/);
  assert.ok(sent[0]!.command.endsWith('\nwrite the config'));
  assert.equal(sent[0]!.options?.stdin, 'content');
  assert.equal(sent[1]!.command, 'restart');
  ledger.clear(['restart']);
  await s.flushOwed();
  assert.equal(sent.length, 3);
  assert.match(sent[2]!.command, /rm -f -- "\$d"\/f\.json/);
  await s.flushOwed();
  assert.equal(sent.length, 3, 'nothing left to send');
});

test('check mode never writes the record', async () => {
  const { sent, connection } = recorder();
  const { s, ledger } = session(connection, true);
  ledger.owe(['restart'], 'config');
  await s.planContext().read('cat /etc/motd');
  await s.flushOwed();
  assert.deepEqual(
    sent.map((c) => c.command),
    ['cat /etc/motd'],
  );
});

test('a record that cannot be written stops the command it leads, with what to do', async () => {
  const { connection } = recorder(() => ({
    code: 97,
    stdout: '',
    stderr:
      'mkdir: cannot create directory /var/lib/sls-play: Read-only file system\n\n__sls_play_state_write_failed__\n',
  }));
  const { s, ledger } = session(connection);
  ledger.owe(['restart'], 'config');
  await assert.rejects(s.applyContext().exec('write'), (error: unknown) => {
    assert.ok(error instanceof OwedRecordError);
    assert.match(
      error.message,
      /could not record the owed handlers in \/var\/lib\/sls-play\/f\.json \(mkdir: cannot create directory \/var\/lib\/sls-play: Read-only file system\), so nothing was changed: make that directory writable or set sls_play_state_dir/,
    );
    return true;
  });
});

test('a command run as another user gets the record in a command of its own first', async () => {
  const { sent, connection } = recorder();
  const { s, ledger } = session(connection);
  ledger.owe(['restart'], 'config');
  await s.applyContext(false).exec('as the login user');
  assert.equal(sent.length, 2);
  assert.equal(sent[0]!.options?.become, true);
  assert.match(sent[0]!.command, /umask 077/);
  assert.deepEqual(sent[1], { command: 'as the login user', options: { timeoutMs: undefined, become: false } });
});
