// The precompiled CLI (bin/compiled.mjs) behaves as the sources run through tsx (SLS_PLAY_TSX=1),
// and a TypeScript playbook loaded at run time shares the CLI's modules: a secret it registers
// is masked by the CLI's redactor, and its PlaybookInputError is recognised (exit 5, one line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

const TSX = { SLS_PLAY_TSX: '1' };
const INVENTORY = 'test/fixtures/inventories/yaml-basic/hosts.yml';
const both = (args: string[]) => Promise.all([runCli(args), runCli(args, { env: TSX })]);

test('a playbook importing sls-play shares the CLI’s module instances, compiled or not', async () => {
  for (const run of await both(['deploy', INVENTORY, '-p', 'test/fixtures/playbooks/shared-modules.ts'])) {
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /^sls-play: [^:]+: refusing on purpose; token \*{8}\n$/);
  }
});

test('--help, a TypeScript inventory and a bad option give the same output compiled or through tsx', async () => {
  for (const args of [['--help'], ['inventory', 'test/fixtures/inventories/ts-module', '--list'], ['exec', INVENTORY, 'all', '--slice', '9/2', '--', 'true']]) {
    const [compiled, tsx] = await both(args);
    assert.equal(compiled.code, tsx.code, args.join(' '));
    assert.equal(compiled.stdout, tsx.stdout, args.join(' '));
    assert.equal(compiled.stderr, tsx.stderr, args.join(' '));
  }
});
