import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { shellCommand, shellQuote } from '../../../src/remote/quote.ts';

const $ = (pieces: TemplateStringsArray, ...values: unknown[]) => shellCommand(pieces, values);

test('safe words stay bare, everything else is single-quoted', () => {
  assert.equal(shellQuote('/etc/sophos/runtimedetections.yaml'), '/etc/sophos/runtimedetections.yaml');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
});

test('interpolated values never become shell syntax, in dash as in bash', () => {
  const nasty = ['a b', "'; rm -rf / #", '$(id)', '`id`', 'x\ny', '*', '\\', '"q"'];
  for (const shell of ['/bin/sh', 'bash']) {
    for (const value of nasty) {
      const out = execFileSync(shell, ['-c', $`printf '%s' ${value}`], { encoding: 'utf8' });
      assert.equal(out, value, `${shell}: ${JSON.stringify(value)}`);
    }
  }
});

test('arrays expand to several quoted words', () => {
  assert.equal($`ls ${['a b', 'c']}`, "ls 'a b' c");
});
