// The remote scripts of a write and its undo, run by dash (what `sh -c` is on Debian) against
// paths an attacker or a careless inventory could give: nothing in a path may run, and the file
// lands exactly where it is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreScript, writeScript } from '../../../src/remote/write-file.ts';

const HOSTILE_NAMES = [
  'with space.yaml',
  "it's 'quoted'.yaml",
  'dq "x".yaml',
  '$(touch PWNED).yaml',
  '`touch PWNED2`.yaml',
  'star *.yaml',
  'new\nline.yaml',
  '-leading-dash.yaml',
  'semi; touch PWNED3 #.yaml',
  '${HOME}$PATH.yaml',
];

function sh(script: string, stdin = '', cwd: string): void {
  execFileSync('dash', ['-c', script], { input: stdin, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
}

for (const name of HOSTILE_NAMES) {
  test(`write, backup and restore of ${JSON.stringify(name)}: the file lands where named and nothing runs`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'sls-write-'));
    const path = join(dir, name);
    // created: a new file
    sh(writeScript(path, 4, 0o600, { backupSuffix: '.bak1' }), 'new\n', dir);
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
    assert.equal(lstatSync(path).mode & 0o777, 0o600);
    // replaced: the old file is backed up beside it
    sh(writeScript(path, 7, 0o600, { backupSuffix: '.bak2' }), 'second\n', dir);
    assert.equal(readFileSync(path, 'utf8'), 'second\n');
    assert.equal(readFileSync(`${path}.bak2`, 'utf8'), 'new\n');
    // undo of the replacement puts the backup back
    sh(restoreScript(path, { backup: `${path}.bak2` })!, '', dir);
    assert.equal(readFileSync(path, 'utf8'), 'new\n');
    // undo of a creation removes only that file
    sh(restoreScript(path, { created: true })!, '', dir);
    assert.equal(existsSync(path), false);
    const left = readdirSync(dir).sort();
    assert.deepEqual(left, [`${name}.bak2`], `unexpected files: ${JSON.stringify(left)}`);
    for (const canary of ['PWNED', 'PWNED2', 'PWNED3'])
      assert.equal(existsSync(join(dir, canary)), false, `${canary} was created: a path ran as shell`);
  });
}

test('a write cut short removes its temporary file and its partial backup, keeping the old file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-write-'));
  const path = join(dir, '$(touch PWNED) x.yaml');
  writeFileSync(path, 'old\n');
  assert.throws(() => sh(writeScript(path, 100, 0o600, { backupSuffix: '.bak' }), 'short\n', dir));
  assert.equal(readFileSync(path, 'utf8'), 'old\n');
  assert.deepEqual(readdirSync(dir), ['$(touch PWNED) x.yaml']);
});

test('a symlinked file: the target is replaced in its own directory and the link is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-write-'));
  const real = join(dir, 'srv dir');
  execFileSync('mkdir', [real]);
  writeFileSync(join(real, 'rd.yaml'), 'old\n');
  const link = join(dir, 'runtimedetections.yaml');
  symlinkSync(join(real, 'rd.yaml'), link);
  sh(writeScript(link, 4, 0o600, { backupSuffix: '.bak' }), 'new\n', dir);
  assert.equal(lstatSync(link).isSymbolicLink(), true);
  assert.equal(readlinkSync(link), join(real, 'rd.yaml'));
  assert.equal(readFileSync(join(real, 'rd.yaml'), 'utf8'), 'new\n');
  assert.equal(readFileSync(join(real, 'rd.yaml.bak'), 'utf8'), 'old\n');
  sh(restoreScript(link, { backup: join(real, 'rd.yaml.bak'), target: join(real, 'rd.yaml') })!, '', dir);
  assert.equal(readFileSync(link, 'utf8'), 'old\n');
  assert.equal(lstatSync(link).isSymbolicLink(), true);
});

test('undoing a write that neither created nor replaced a file touches nothing', () => {
  assert.equal(restoreScript('/etc/sophos/runtimedetections.yaml', {}), undefined);
});
