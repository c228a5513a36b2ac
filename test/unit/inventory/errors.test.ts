/** Inventory mistakes are InventoryErrors that name the file and line and say what to do. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InventoryError, loadInventory } from '../../../src/inventory/index.ts';

const root = mkdtempSync(join(tmpdir(), 'sls-play-inv-errors-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function write(name: string, text: string): string {
  const path = join(root, String(n++), name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function rejects(path: string, line: number | undefined, message: RegExp): Promise<void> {
  await assert.rejects(loadInventory(path), (e: unknown) => {
    assert.ok(e instanceof InventoryError, `expected an InventoryError, got ${String(e)}`);
    assert.equal(e.line, line);
    assert.ok(e.file?.endsWith(path.endsWith('/') ? '' : path.split('/').pop()!) ?? false, `file: ${e.file}`);
    assert.match(e.message, message);
    return true;
  });
}

describe('inventory errors', () => {
  it('a host name YAML reads as a number is refused as Ansible refuses it, with the line and the fix', async () => {
    await rejects(
      write('hosts.yml', 'all:\n  hosts:\n    web1:\n    1234:\n'),
      4,
      /^.*hosts\.yml:4: Host pattern 1234 must be a string\. Enclose integers\/floats in quotation marks: '1234':$/,
    );
    await rejects(
      write('hosts.yml', 'all:\n  children:\n    db:\n      hosts:\n        010:\n          ansible_port: 22\n'),
      5,
      /Host pattern 8 \(written 010\) must be a string\. Enclose integers\/floats in quotation marks: '010':/,
    );
    await rejects(write('hosts.yml', 'all:\n  hosts:\n    0x1F:\n'), 3, /Host pattern 31 \(written 0x1F\)/);
    // quoted, and a number as a variable's value, are fine
    const ok = await loadInventory(write('hosts.yml', "all:\n  hosts:\n    '1234':\n      ansible_port: 2222\n"));
    assert.deepEqual([...ok.hosts.keys()], ['1234']);
  });

  it('YAML syntax error, with its line', async () => {
    await rejects(write('hosts.yml', 'all:\n  hosts:\n    web1:\n   bad: [\n'), 4, /YAML syntax error/);
  });

  it("a group's hosts given as a list", async () => {
    await rejects(
      write('hosts.yml', 'all:\n  children:\n    web:\n      hosts:\n        - web1\n'),
      5,
      /'hosts' of group 'web' must be a mapping.*not '- web1'/,
    );
  });

  it('a host with a value that is not a mapping', async () => {
    await rejects(write('hosts.yaml', 'web:\n  hosts:\n    web1: yes\n'), 3, /host 'web1' .* mapping/);
  });

  it('an INI host line with a word that is not key=value', async () => {
    await rejects(write('hosts', '[web]\nweb1 ansible_port=22\nweb2 oops\n'), 3, /expected key=value .* oops/);
  });

  it('an INI line with an unclosed quote', async () => {
    await rejects(write('hosts', '[web]\nweb1 motd="hello\n'), 2, /check its quotes/);
  });

  it('a reversed range such as [5:1]', async () => {
    await rejects(write('hosts', '# c\n[web]\nweb[5:1]\n'), 3, /begin <= end/);
  });

  it('a range with unequal zero padding', async () => {
    await rejects(write('hosts', '[web]\nweb[01:100]\n'), 2, /same number of digits/);
  });

  it('[g:vars] for a group never defined', async () => {
    await rejects(
      write('hosts', '[web]\nw1\n[dbs:vars]\nx=1\n'),
      3,
      /\[dbs:vars\] is for a group that is never defined/,
    );
  });

  it('[g:children] naming a group never defined', async () => {
    await rejects(
      write('hosts', '[prod:children]\nweb\ndb\n[web]\nw1\n'),
      3,
      /names group 'db', which is never defined/,
    );
  });

  it('an unknown section type', async () => {
    await rejects(write('hosts', '[web:host]\nw1\n'), 1, /unknown type 'host'/);
  });

  it('a host ending in ":" without a port', async () => {
    // Without a section first, Ansible would read `web1:` as YAML: an empty group.
    await rejects(write('hosts', '[web]\nweb1:\n'), 2, /ends in ':'/);
  });

  it('a loop of child groups', async () => {
    await rejects(write('hosts', '[a:children]\nb\n[b:children]\na\n'), 4, /loop/);
  });

  it('a group_vars file that is not a mapping', async () => {
    const hosts = write('hosts', '[web]\nw1\n');
    writeFileSync(join(dirname(hosts), 'hosts'), '[web]\nw1\n');
    mkdirSync(join(dirname(hosts), 'group_vars'));
    writeFileSync(join(dirname(hosts), 'group_vars', 'web.yml'), '- a\n- b\n');
    await assert.rejects(
      loadInventory(hosts),
      (e: unknown) => e instanceof InventoryError && /web\.yml:1: a vars file must be a mapping/.test(e.message),
    );
  });

  it('a TypeScript module without a default export', async () => {
    await rejects(write('inv.ts', 'export const all = {};\n'), undefined, /no default export/);
  });

  it('an inventory path that does not exist', async () => {
    await assert.rejects(
      loadInventory(join(root, 'missing')),
      (e: unknown) => e instanceof InventoryError && /inventory not found/.test(e.message),
    );
  });
});
