import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileFact, gatherScript, parseGathered, splitGathered, type Fact } from '../../../src/remote/facts.ts';

const raw = (command: string): Fact<{ out: string; rc: number }> => ({ command, parse: (out, rc) => ({ out, rc }) });

test('several facts come back from one shell run, exactly as printed, with their exit codes', () => {
  const facts = { a: raw('printf "one\\ntwo\\n"'), b: raw('printf "no newline"; exit 3'), c: raw('true') };
  const output = execFileSync('/bin/sh', ['-c', gatherScript(facts)], { encoding: 'utf8' });
  assert.deepEqual(parseGathered(output, facts), {
    a: { out: 'one\ntwo\n', rc: 0 },
    b: { out: 'no newline', rc: 3 },
    c: { out: '', rc: 0 },
  });
});

test('a file fact reads mode and content verbatim, or null when absent', () => {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  execFileSync('/bin/sh', ['-c', `printf 'a: 1\\n# c\\n' > ${dir}/f.yaml; chmod 640 ${dir}/f.yaml`]);
  const facts = { present: fileFact(`${dir}/f.yaml`), absent: fileFact(`${dir}/none.yaml`) };
  const output = execFileSync('/bin/sh', ['-c', gatherScript(facts)], { encoding: 'utf8' });
  assert.deepEqual(parseGathered(output, facts), { present: { mode: 0o640, content: 'a: 1\n# c\n' }, absent: null });
});

test('a cut-short answer is an error, not a silent empty fact', () => {
  assert.throws(() => parseGathered('', { a: raw('true') }), /no answer for "a"/);
});

test('a file that cannot be read is an error with the reason, never an empty file', () => {
  const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
  const facts = { dir: fileFact(dir) };
  const run = spawnSync('/bin/sh', ['-c', gatherScript(facts)], { encoding: 'utf8' });
  assert.throws(
    () => parseGathered(run.stdout, facts, run.stderr),
    (error: Error) => {
      assert.match(error.message, new RegExp(`^reading dir: cannot read ${dir}: exists and is not a regular file$`));
      return true;
    },
  );
});

test('each fact keeps its own standard error, even when another fact fails', () => {
  const facts = { a: raw('echo one; echo oops >&2; exit 4'), b: raw('echo two') };
  const run = spawnSync('/bin/sh', ['-c', gatherScript(facts)], { encoding: 'utf8' });
  const split = splitGathered(run.stdout, run.stderr, ['a', 'b']);
  assert.deepEqual(split.a, { stdout: 'one\n', stderr: 'oops\n', code: 4 });
  assert.deepEqual(split.b, { stdout: 'two\n', stderr: '', code: 0 });
});
