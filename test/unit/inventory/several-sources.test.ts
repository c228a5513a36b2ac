/**
 * Several inventory sources read together (ansible.cfg `inventory = a,b`), compared with
 * ansible-inventory given the same sources: hosts and groups merged, and each source's
 * group_vars/ and host_vars/ combined in Ansible's order.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadInventory } from '../../../src/inventory/index.ts';
import { toAnsibleList } from '../../../src/inventory/ansible-list.ts';
import { cliInProcess } from '../../helpers/in-process-cli.ts';
import { ansibleCommand, python } from './ansible-reference.ts';

let dir: string;
let a: string;
let bFile: string;
let cfg: string;

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sls-several-'));
  // a: a directory source; b: a file source, its vars directories beside it
  a = join(dir, 'a');
  write(join(a, 'hosts'), '[web]\nweb-01\n[db]\ndb-01\n[web:vars]\nfrom_inventory=a\n');
  write(join(a, 'group_vars', 'all.yml'), 'x: a-all\ny: a-all\np: a-all\n');
  write(join(a, 'group_vars', 'web.yml'), 'w: a-web\nz: a-web\nq: a-web\np: a-web\n');
  write(join(a, 'host_vars', 'web-01.yml'), 'h: a\nonly_a: 1\n');
  bFile = join(dir, 'b', 'hosts.yml');
  write(
    bFile,
    'all:\n  children:\n    sensors:\n      children:\n        web:\n          hosts:\n            web-01: {hv: b}\n            web-02:\n          vars: {from_inventory: b}\n    edge:\n      hosts:\n        db-01:\n',
  );
  write(join(dir, 'b', 'group_vars', 'all.yml'), 'y: b-all\np: b-all\n');
  // a parent group's file of the later source beats a child group's file of the earlier one
  write(join(dir, 'b', 'group_vars', 'sensors.yml'), 'q: b-sensors\n');
  write(join(dir, 'b', 'group_vars', 'db.yml'), 'd: b-db\n');
  write(join(dir, 'b', 'host_vars', 'web-01.yml'), 'h: b\n');
  cfg = join(dir, 'ansible.cfg');
  writeFileSync(cfg, '[defaults]\ninventory = a, b/hosts.yml\n');
});

describe('several inventory sources', { skip: python ? false : 'ansible-inventory is not installed' }, () => {
  it('loadInventory([a, b]) equals ansible-inventory -i a -i b --list', async () => {
    const ours = JSON.parse(JSON.stringify(toAnsibleList(await loadInventory([a, bFile]))));
    const theirs = JSON.parse(await ansibleCommand('ansible-inventory', ['-i', a, '-i', bFile, '--list']));
    assert.deepEqual(ours, theirs);
    const web01 = ours._meta.hostvars['web-01'];
    assert.equal(web01.h, 'b');
    assert.equal(web01.q, 'b-sensors');
    assert.equal(web01.p, 'a-web');
    assert.equal(web01.from_inventory, 'b');
  });

  it('inventory --list reads every inventory ansible.cfg names, as ansible-inventory reads that ansible.cfg', async () => {
    const previous = process.env.ANSIBLE_CONFIG;
    process.env.ANSIBLE_CONFIG = cfg;
    try {
      const ours = await cliInProcess(['inventory', '--list']);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stderr, '');
      const { stdout } = await promisify(execFile)('ansible-inventory', ['--list'], {
        env: { ...process.env, ANSIBLE_NOCOLOR: '1' },
      });
      assert.deepEqual(JSON.parse(ours.stdout), JSON.parse(stdout));
    } finally {
      if (previous === undefined) delete process.env.ANSIBLE_CONFIG;
      else process.env.ANSIBLE_CONFIG = previous;
    }
  });
});
