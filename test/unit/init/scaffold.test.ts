import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initProject } from '../../../src/cli/commands/init.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { packageName, scaffoldFiles } from '../../../src/init/scaffold.ts';

const VERSIONS = { slsPlay: '0.2.0', typescript: '^7.0.2', typesNode: '^20.19.43' };

test('the package name is one npm accepts, from the directory name', () => {
  assert.equal(packageName('ops-playbooks'), 'ops-playbooks');
  assert.equal(packageName('My Fleet (prod)'), 'my-fleet-prod');
  assert.equal(packageName('.hidden'), 'hidden');
  assert.equal(packageName('---'), 'playbooks');
});

test('the project asks for this sls-play and TypeScript, as an ES module package', () => {
  const files = scaffoldFiles('ops', VERSIONS);
  assert.deepEqual(Object.keys(files).sort(), [
    '.gitignore',
    'README.md',
    'inventory/prod/group_vars/all.yml',
    'inventory/prod/hosts.yml',
    'package.json',
    'playbooks/example.ts',
    'tsconfig.json',
  ]);
  const pkg = JSON.parse(files['package.json']!) as {
    name: string;
    type: string;
    devDependencies: Record<string, string>;
  };
  assert.equal(pkg.name, 'ops');
  assert.equal(pkg.type, 'module');
  assert.deepEqual(pkg.devDependencies, { '@types/node': '^20.19.43', 'sls-play': '^0.2.0', typescript: '^7.0.2' });
});

test('the example playbook has a handler its task notifies; the variables leave the region commented and the key to the environment', () => {
  const files = scaffoldFiles('ops', VERSIONS);
  const example = files['playbooks/example.ts']!;
  assert.match(example, /notify: 'print the new message'/);
  assert.match(example, /handlers: \[command\(\{ name: 'print the new message'/);
  const vars = files['inventory/prod/group_vars/all.yml']!;
  assert.match(vars, /^# sls_region: eu-west-1$/m);
  assert.match(vars, /SLS_API_KEY=… npx sls-play deploy inventory\/prod/);
  assert.doesNotMatch(vars, /^sls_api_key/m);
  assert.match(files['README.md']!, /npm install[\s\S]*npm run check[\s\S]*npx sls-play deploy/);
});

test('init writes every file into a new directory, and refuses (exit 5) without writing when one exists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-play-init-'));
  try {
    const written = initProject(join(dir, 'new'));
    assert.equal(written.length, 7);
    assert.ok(existsSync(join(dir, 'new', 'inventory', 'prod', 'group_vars', 'all.yml')));

    writeFileSync(join(dir, 'tsconfig.json'), '{}\n');
    assert.throws(
      () => initProject(dir),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 5 &&
        /already has tsconfig\.json; sls-play init never overwrites a file/.test(error.message),
    );
    assert.equal(readFileSync(join(dir, 'tsconfig.json'), 'utf8'), '{}\n');
    assert.ok(!existsSync(join(dir, 'package.json')), 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
