import assert from 'node:assert/strict';
import { test } from 'node:test';
import { needsTypeScript } from '../../../bin/needs-typescript.mjs';

test('the compiled CLI registers tsx only when TypeScript is loaded at run time', () => {
  assert.equal(needsTypeScript(['--help']), false);
  assert.equal(needsTypeScript(['deploy', '--help']), false);
  assert.equal(needsTypeScript(['run', 'inventory/prod', 'all', 'service', 'unit=sophoslinuxsensor']), false);
  assert.equal(needsTypeScript(['exec', 'inventory/prod', 'all', '--', 'true']), false);
  assert.equal(needsTypeScript(['status', 'inventory/prod', '--json-out', 'r.json']), false);
  assert.equal(needsTypeScript(['report', 'merge', 'a.json', 'b.json']), false);
  assert.equal(needsTypeScript(['deploy', 'inventory/prod']), true, 'the default playbook is TypeScript');
  assert.equal(needsTypeScript(['status', 'test/fixtures/inventories/ts-module/inventory.ts']), true);
  assert.equal(needsTypeScript(['inventory', 'test/fixtures/inventories/ts-module', '--list']), true, 'a directory holding a TypeScript inventory');
  assert.equal(needsTypeScript(['status', '-l', 'web', 'test/fixtures/inventories/ts-module']), true, 'the inventory after an option value');
  assert.equal(needsTypeScript(['some-new-command', 'x']), true, 'an unknown command is given tsx, to be safe');
});
