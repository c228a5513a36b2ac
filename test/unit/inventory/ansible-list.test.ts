/** toAnsibleList and toAnsibleGraph against the real ansible-inventory, fixture by fixture. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadInventory, toAnsibleGraph, toAnsibleList } from '../../../src/inventory/index.ts';
import { ansibleCommand, ansibleInventoryBatch, python } from './ansible-reference.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/inventories');
const CASES = [
  'yaml-basic/hosts.yml',
  'yaml-basic',
  'ini-ranges/hosts',
  'dir-multi',
  'precedence/hosts',
  'precedence',
  'ts-module/equivalent.yml',
  'typing/hosts',
  'typing/hosts.yml',
  'typing',
];
const VIEWS = [['--list'], ['--graph'], ['--graph', '--vars'], ['--graph', 'prod']];

describe('toAnsibleList / toAnsibleGraph match ansible-inventory', {
  skip: !python && 'ansible-inventory is not installed',
}, () => {
  const reference = new Map<string, string>();
  const key = (c: string, view: string[]): string => `${c} ${view.join(' ')}`;

  before(async () => {
    const argvs = CASES.flatMap((c) => VIEWS.map((v) => ['-i', join(FIXTURES, c), ...v]));
    const outputs = await ansibleInventoryBatch(argvs);
    for (const [i, c] of CASES.entries()) {
      for (const [j, v] of VIEWS.entries()) reference.set(key(c, v), outputs[i * VIEWS.length + j]);
    }
  });

  for (const c of CASES) {
    const path = join(FIXTURES, c);
    it(`--list: ${c}`, async () => {
      const mine = JSON.parse(JSON.stringify(toAnsibleList(await loadInventory(path)))) as unknown;
      assert.deepEqual(mine, JSON.parse(reference.get(key(c, ['--list']))!));
    });
    it(`--graph and --graph --vars: ${c}`, async () => {
      const inv = await loadInventory(path);
      assert.equal(`${toAnsibleGraph(inv)}\n`, reference.get(key(c, ['--graph'])));
      assert.equal(`${toAnsibleGraph(inv, 'all', { vars: true })}\n`, reference.get(key(c, ['--graph', '--vars'])));
      if (inv.groups.has('prod'))
        assert.equal(`${toAnsibleGraph(inv, 'prod')}\n`, reference.get(key(c, ['--graph', 'prod'])));
    });
  }

  it('the in-process reference prints what the ansible-inventory command prints', async () => {
    const path = join(FIXTURES, 'dir-multi');
    assert.equal(
      await ansibleCommand('ansible-inventory', ['-i', path, '--list']),
      reference.get(key('dir-multi', ['--list'])),
    );
  });
});

describe('TypeScript inventory module', () => {
  it('loads as the YAML inventory it is equivalent to', async () => {
    const ts = await loadInventory(join(FIXTURES, 'ts-module/inventory.ts'));
    const yml = await loadInventory(join(FIXTURES, 'ts-module/equivalent.yml'));
    assert.deepEqual(toAnsibleList(ts), toAnsibleList(yml));
    assert.equal(toAnsibleGraph(ts, 'all', { vars: true }), toAnsibleGraph(yml, 'all', { vars: true }));
  });
});
