/** Dynamic inventories: executable scripts and ansible-inventory's JSON, compared with ansible-inventory. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryError, loadInventory, toAnsibleList } from '../../../src/inventory/index.ts';
import { ansibleCommand, python } from './ansible-reference.ts';

const skip = python === undefined ? 'ansible-inventory is not installed' : false;
let dir: string;

const LIST = {
  web: { hosts: ['web-01', 'web-02'], vars: { http_port: 8080 } },
  db: ['db-01'],
  prod: { children: ['web', 'db'], vars: { sls_region: 'eu-west-1' } },
  edge: { ansible_host: '10.0.0.9' },
};
const HOSTVARS = { 'web-01': { ansible_host: '10.0.0.1' }, 'db-01': { ansible_port: 2200, nested: { a: [1, 2] } } };

function script(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body, { mode: 0o755 });
  return file;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sls-dynamic-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function compare(inventory: string): Promise<ReturnType<typeof toAnsibleList>> {
  const ours = toAnsibleList(await loadInventory(inventory));
  const theirs = JSON.parse(await ansibleCommand('ansible-inventory', ['-i', inventory, '--list']));
  assert.deepEqual(JSON.parse(JSON.stringify(ours)), theirs);
  return ours;
}

describe('dynamic inventories', { skip }, () => {
  it('runs an executable inventory with --list and takes _meta.hostvars', async () => {
    const file = script(
      'with_meta.py',
      `#!/usr/bin/env python3\nimport json\nprint(json.dumps(${JSON.stringify({ ...LIST, _meta: { hostvars: HOSTVARS } })}))\n`,
    );
    const ours = await compare(file);
    assert.equal(ours._meta.hostvars['db-01']!.ansible_port, 2200);
  });

  it('asks --host <name> for each host when _meta is absent', async () => {
    const file = script(
      'no_meta.sh',
      `#!/bin/sh\ncase "$1" in\n--list) echo '${JSON.stringify(LIST)}' ;;\n--host) [ "$2" = web-02 ] && echo '{"ansible_user": "from-host-call"}' || echo '{}' ;;\nesac\n`,
    );
    const ours = await compare(file);
    assert.equal(ours._meta.hostvars['web-02']!.ansible_user, 'from-host-call');
  });

  it('reads a script inside an inventory directory next to static files and group_vars/', async () => {
    const inv = join(dir, 'mixed');
    mkdirSync(join(inv, 'group_vars'), { recursive: true });
    writeFileSync(join(inv, 'static.yml'), 'all:\n  children:\n    web:\n      hosts:\n        web-03:\n');
    writeFileSync(join(inv, 'group_vars', 'web.yml'), 'team: blue\n');
    writeFileSync(
      join(inv, 'cloud'),
      `#!/bin/sh\necho '${JSON.stringify({ ...LIST, _meta: { hostvars: HOSTVARS } })}'\n`,
      { mode: 0o755 },
    );
    const ours = await compare(inv);
    assert.deepEqual((ours.web as { hosts: string[] }).hosts.sort(), ['web-01', 'web-02', 'web-03']);
  });

  it("reads the JSON ansible-inventory --list prints as an inventory file (any plugin's output can be fed in)", async () => {
    const source = script(
      'source.py',
      `#!/usr/bin/env python3\nimport json\nprint(json.dumps(${JSON.stringify({ ...LIST, _meta: { hostvars: HOSTVARS } })}))\n`,
    );
    const printed = await ansibleCommand('ansible-inventory', ['-i', source, '--list']);
    writeFileSync(join(dir, 'fleet.json'), printed);
    const ours = toAnsibleList(await loadInventory(join(dir, 'fleet.json')));
    assert.deepEqual(JSON.parse(JSON.stringify(ours)), JSON.parse(printed));
  });

  it('an executable bit on a static INI file does not make it a script', async () => {
    const file = join(dir, 'hosts');
    writeFileSync(file, '[web]\nweb-01 ansible_port=2222\n');
    chmodSync(file, 0o755);
    await compare(file);
  });

  it('a failing script or bad JSON is an inventory error naming the script and what to do', async () => {
    const failing = script('failing.sh', '#!/bin/sh\necho "cloud API unreachable" >&2\nexit 2\n');
    await assert.rejects(
      loadInventory(failing),
      (e: unknown) =>
        e instanceof InventoryError &&
        /failing\.sh --list` failed \(exit status 2: cloud API unreachable\); run it by hand/.test(e.message),
    );
    const garbage = script('garbage.sh', '#!/bin/sh\necho not json\n');
    await assert.rejects(loadInventory(garbage), /output is not JSON/);
  });
});
