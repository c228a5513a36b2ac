// The one command that carries a change and its handlers, run by dash: each part only after the
// one before exited 0, only the first reads stdin, and the owed record follows each handler.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFenced } from '../../../src/remote/fenced.ts';
import { batchScript, statusesAgree, type BatchPart } from '../../../src/runner/batch.ts';
import type { Task } from '../../../src/tasks/types.ts';

const part = (command: string): BatchPart => ({
  task: { name: command } as Task,
  change: {
    status: 'change',
    message: command,
    apply: async () => ({}),
    remote: { command, interpret: (r) => (r.code === 0 ? {} : { failed: 'no' }) },
  },
});

function run(parts: BatchPart[], after: (string | null | undefined)[], stdin = '') {
  const dir = mkdtempSync(join(tmpdir(), 'sls-batch-'));
  const script = batchScript(parts, { dir, file: 'owed.json', after });
  const result = spawnSync('dash', ['-c', script], { input: stdin, encoding: 'utf8' });
  const record = existsSync(join(dir, 'owed.json')) ? readFileSync(join(dir, 'owed.json'), 'utf8') : null;
  return { answers: readFenced(result.stdout, result.stderr), record, code: result.status };
}

test('every part runs in order; the first reads stdin, the others none; the record follows each handler', () => {
  const { answers, record } = run(
    [part('cat'), part('cat; echo second'), part('echo third >&2')],
    [undefined, '{"owed":["third"]}', null],
    'the content',
  );
  assert.deepEqual([...answers.keys()], ['part0', 'part1', 'part2']);
  assert.equal(answers.get('part0')!.stdout, 'the content');
  assert.equal(answers.get('part1')!.stdout, 'second\n');
  assert.equal(answers.get('part2')!.stderr, 'third\n');
  assert.equal(record, null, 'the last handler cleared the record');
});

test('a part that fails stops the rest, and the record keeps what was not cleared', () => {
  const { answers, record } = run(
    [part('true'), part('echo restarting; exit 3'), part('echo never')],
    [undefined, '{"owed":["test alert"]}', null],
  );
  assert.deepEqual([...answers.keys()], ['part0', 'part1']);
  assert.equal(answers.get('part1')!.code, 3);
  assert.equal(record, null, 'no stage written after the failure (the record left before the command stays)');
  const second = run([part('true'), part('true'), part('exit 1')], [undefined, '{"owed":["test alert"]}', null]);
  assert.equal(second.record, '{"owed":["test alert"]}');
  assert.equal(second.answers.get('part2')!.code, 1);
});

test('a part whose exit status contradicts its answer is noticed', () => {
  assert.equal(statusesAgree([{ applied: {}, code: 0 }, { applied: { failed: 'x' }, code: 2 }, undefined]), true);
  assert.equal(statusesAgree([{ applied: { failed: 'x' }, code: 0 }]), false);
  assert.equal(statusesAgree([{ applied: {}, code: 1 }]), false);
});
