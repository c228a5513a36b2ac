// The state-file scripts run by dash, as on a Debian host: atomic, private, and harmless to lead
// another command with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stateFileFact, stateFilesFact, writeStateFileScript } from '../../../../src/remote/state-file.ts';

const dash = (script: string, input = '', cwd?: string) =>
  spawnSync('dash', ['-c', script], { input, encoding: 'utf8', cwd });

test('written into a private directory with mode 0600, read back exactly, then removed', () => {
  const root = mkdtempSync(join(tmpdir(), 'sls-state-'));
  const dir = join(root, "it's $(touch PWNED) dir");
  const content = `{"playbook":"it's \`quoted\` $HOME"}\n`;
  // every script runs in root: a $(touch PWNED) that ran would leave PWNED there
  const inRoot = (script: string) => dash(script, '', root);
  assert.equal(inRoot(writeStateFileScript(dir, 'owed-handlers.x.json', content)).status, 0);
  assert.equal(readFileSync(join(dir, 'owed-handlers.x.json'), 'utf8'), content);
  assert.equal(statSync(join(dir, 'owed-handlers.x.json')).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.deepEqual(readdirSync(root), ["it's $(touch PWNED) dir"], 'nothing in the name ran');

  const fact = stateFileFact(dir, 'owed-handlers.x.json');
  const read = inRoot(fact.command);
  assert.equal(fact.parse(read.stdout, read.status!, read.stderr), content);
  const all = stateFilesFact(dir, 'owed-handlers.*.json');
  const listed = inRoot(all.command);
  assert.deepEqual(all.parse(listed.stdout, listed.status!, listed.stderr), {
    [join(dir, 'owed-handlers.x.json')]: content,
  });

  assert.equal(inRoot(writeStateFileScript(dir, 'owed-handlers.x.json', null)).status, 0);
  assert.deepEqual(readdirSync(dir), []);
  const gone = inRoot(fact.command);
  assert.equal(fact.parse(gone.stdout, gone.status!, gone.stderr), null);
  assert.deepEqual(readdirSync(root), ["it's $(touch PWNED) dir"], 'nothing in the name ran, in any script');
});

test('leading another command: it runs with its stdin untouched; a write that fails stops it', () => {
  const root = mkdtempSync(join(tmpdir(), 'sls-state-'));
  const ok = dash(
    `if ! ${writeStateFileScript(join(root, 'd'), 'f.json', '{}')}; then exit 97; fi\ncat`,
    'the stdin of the command',
  );
  assert.equal(ok.status, 0);
  assert.equal(ok.stdout, 'the stdin of the command');
  writeFileSync(join(root, 'not-a-dir'), '');
  const bad = dash(
    `if ! ${writeStateFileScript(join(root, 'not-a-dir', 'd'), 'f.json', '{}')}; then exit 97; fi\necho ran`,
  );
  assert.equal(bad.status, 97);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /Not a directory|File exists/);
});
