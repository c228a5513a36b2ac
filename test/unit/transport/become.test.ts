import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { becomeCommand, becomeFailure, needsBecome } from '../../../src/transport/become.ts';
import { shellQuote } from '../../../src/transport/quote.ts';

const context = { loginUser: 'deploy', becomeUser: 'root', host: 'web-01' };

describe('shellQuote', () => {
  test('leaves plain words, single-quotes the rest, POSIX only', () => {
    assert.equal(shellQuote('abc/def.txt'), 'abc/def.txt');
    assert.equal(shellQuote(''), "''");
    assert.equal(shellQuote("it's $HOME"), `'it'\\''s $HOME'`);
    for (const word of ['a b', "it's", '$(id)', '`id`', 'a\nb', '"q"', '\\', '*', "''"]) {
      assert.equal(execFileSync('sh', ['-c', `printf %s ${shellQuote(word)}`], { encoding: 'utf8' }), word);
    }
  });
});

describe('becomeCommand', () => {
  test('passwordless: sudo -n, so a password prompt can never hang', () => {
    const plan = becomeCommand('id -u', 'root', false, 'abc');
    assert.equal(plan.prompt, undefined);
    assert.equal(plan.ready, 'SLSPLAY-BECOME-READY-abc');
    assert.match(plan.command, /^sudo -n -u root -- sh -c '/);
  });

  test('with a password: sudo -S with a marker prompt; the password is not in the command', () => {
    const plan = becomeCommand('id -u', 'svc user', true, 'abc');
    assert.equal(plan.prompt, 'SLSPLAY-BECOME-PROMPT-abc:');
    assert.match(plan.command, /^sudo -S -p SLSPLAY-BECOME-PROMPT-abc: -u 'svc user' -- sh -c /);
  });

  let dir: string;
  before(() => {
    // A stand-in sudo that drops its options and runs the command, to prove the quoting.
    dir = mkdtempSync(join(tmpdir(), 'become-test-'));
    writeFileSync(join(dir, 'sudo'), '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done; shift; exec "$@"\n');
    chmodSync(join(dir, 'sudo'), 0o755);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the command reaches the inner shell intact, after the ready marker', () => {
    const command = `printf '%s|' "it's" "$(echo sub)" 'a  b'; echo; echo err >&2; exit 4`;
    const plan = becomeCommand(command, 'root', false, 'abc');
    let out = '';
    let code = 0;
    try {
      execFileSync('sh', ['-c', `${plan.command} 2>&1`], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
      });
    } catch (error) {
      const failed = error as { status: number; stdout: string };
      out = failed.stdout;
      code = failed.status;
    }
    assert.equal(code, 4);
    assert.equal(out, "SLSPLAY-BECOME-READY-abc\nit's|sub|a  b|\nerr\n");
  });
});

describe('becomeFailure', () => {
  test('classifies what sudo said, naming user and host and never the password', () => {
    assert.equal(becomeFailure('SLSPLAY-BECOME-PROMPT-1:Sorry, try again.\n', 1, context).reason, 'password-rejected');
    assert.equal(
      becomeFailure('sudo: 3 incorrect password attempts\n', 1, context).message,
      'sudo password rejected for deploy@web-01; check ansible_become_password or the -K answer',
    );
    assert.equal(becomeFailure('sudo: a password is required\n', 1, context).reason, 'password-required');
    assert.equal(becomeFailure('deploy is not in the sudoers file.\n', 1, context).reason, 'not-permitted');
    assert.equal(becomeFailure('sh: 1: sudo: not found\n', 127, context).reason, 'sudo-missing');
    const other = becomeFailure('sudo: something odd\n', 1, context);
    assert.equal(other.reason, 'other');
    assert.match(other.message, /something odd/);
  });

  test('becoming the login user needs no sudo', () => {
    assert.equal(needsBecome('root', 'root'), false);
    assert.equal(needsBecome('deploy', 'root'), true);
  });
});
