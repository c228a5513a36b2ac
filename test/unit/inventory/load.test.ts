/** loadInventory: what the merged model holds, beyond what ansible-inventory prints. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadInventory } from '../../../src/inventory/index.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/inventories');

describe('loadInventory', () => {
  it('applies Ansible precedence: every group_vars file beats every inventory group var', async () => {
    const inv = await loadInventory(join(FIXTURES, 'precedence/hosts'));
    const h1 = inv.hosts.get('h1')!.vars;
    assert.equal(h1.v_depth, 'child'); // child group beats its parent
    assert.equal(h1.v_file_beats_child, 'file-parent'); // group_vars/parent.yml beats [child:vars]
    assert.equal(h1.v_all_file, 'file-all'); // group_vars/all beats [parent:vars]
    assert.equal(h1.v_name, 'alpha'); // ansible_group_priority=10 beats name order
    assert.equal(h1.v_host, 'host_vars'); // host_vars/ beats the host line
    assert.equal(h1.v_child_plain, 'read-first'); // group_vars/child (no extension) is found before child.yml
    assert.equal(inv.hosts.get('h2')!.vars.v_host, 'all');
    assert.equal(inv.hosts.get('h3')!.vars.v_ungrouped, 'file');
  });

  it('lists every group of a host, lowest precedence first, with ungrouped only where Ansible puts it', async () => {
    const inv = await loadInventory(join(FIXTURES, 'precedence/hosts'));
    assert.deepEqual(inv.hosts.get('h1')!.groups, ['all', 'parent', 'zeta', 'alpha', 'child']);
    assert.deepEqual(inv.hosts.get('h3')!.groups, ['all', 'ungrouped']);
    assert.equal(inv.groups.get('alpha')!.priority, 10);
    assert.equal(inv.groups.get('child')!.depth, 2);
  });

  it('reads a directory as Ansible does and says which files it skipped', async () => {
    const inv = await loadInventory(join(FIXTURES, 'dir-multi'));
    assert.deepEqual(
      [...inv.hosts.keys()],
      ['web1.example.com', 'web2.example.com', 'web3.example.com', 'db1.example.com', 'db2.example.com'],
    );
    assert.equal(inv.groups.has('ignored'), false);
    assert.match(inv.warnings!.join('\n'), /ignored\.ini: skipped/);
    assert.equal(inv.hosts.get('web1.example.com')!.vars.port, 8080); // group_vars/web/ files merge in name order
    assert.equal(inv.hosts.get('web2.example.com')!.vars.port, 9090);
  });

  it('types INI values as Ansible does', async () => {
    const inv = await loadInventory(join(FIXTURES, 'ini-ranges/hosts'));
    const v = inv.hosts.get('web-special')!.vars;
    assert.deepEqual(
      { motd: v.motd, quoted: v.quoted, pyquoted: v.pyquoted, num: v.num, answer: v.answer, list: v.list },
      { motd: 'hello world', quoted: 'inner', pyquoted: '007', num: 22, answer: 'yes', list: [1, 'two'] },
    );
    const w = inv.hosts.get('web01.example.com')!.vars;
    assert.deepEqual(
      {
        tls: w.tls,
        max_conn: w.max_conn,
        greeting: w.greeting,
        enabled: w.enabled,
        ratio: w.ratio,
        comment_after: w.comment_after,
      },
      {
        tls: true,
        max_conn: 100,
        greeting: 'hi there',
        enabled: 'yes',
        ratio: 0.75,
        comment_after: 'value # trailing comment',
      },
    );
    assert.equal(inv.hosts.get('loose2.example.com')!.vars.ansible_port, 2201);
    assert.deepEqual(
      inv.groups.get('web')!.hosts.filter((h) => h.startsWith('odd')),
      ['odd1.example.com', 'odd3.example.com', 'odd5.example.com', 'odd7.example.com', 'odd9.example.com'],
    );
  });

  it('types YAML values as Ansible (YAML 1.1) does', async () => {
    const inv = await loadInventory(join(FIXTURES, 'yaml-basic/hosts.yml'));
    assert.equal(inv.hosts.get('web-canary.example.com')!.vars.canary, true);
    assert.equal(inv.hosts.get('db1.example.com')!.vars.replica, null);
    assert.equal(inv.hosts.get('fe80::1')!.vars.ansible_port, 2200);
  });
});
