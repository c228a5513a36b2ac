import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileFact, gatherScript, parseGathered, type Fact } from '../../../src/modules/facts.ts';

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
