/** selectHosts against `ansible all -i <fixture> --limit <pattern> --list-hosts`. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadInventory, NoHostsMatchedError, selectHosts, splitHostPattern } from '../../../src/inventory/index.ts';
import type { Inventory } from '../../../src/inventory/types.ts';
import { ansibleCommand, ansiblePatterns, parseListHosts, python } from './ansible-reference.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/inventories');

const TABLE: Record<string, string[]> = {
  'ini-ranges/hosts': [
    'all',
    '*',
    'web',
    'db',
    'prod',
    'dc_east',
    'ungrouped',
    'web01.example.com',
    'loose2.example.com',
    'web*',
    'web0?.example.com',
    'web-[ab].example.com',
    'web-[!a]*',
    '*.example.com',
    '~web0[2-3]',
    '~(?i)WEB-',
    '~.*special',
    'web:db',
    'web,db',
    'db,web',
    'db:web01.example.com',
    'all:!web',
    '!web',
    'prod:&web',
    'prod:&web*:!web-a*',
    '!db:&prod',
    'web:!odd*:&prod',
    'web[0]',
    'web[1:3]',
    'web[-1]',
    'web[2:]',
    'web, db , dc_east',
    'east*,&dc_east',
    'all:!prod',
    'nomatch,db',
    'web*:&*[13]*',
  ],
  'yaml-basic': [
    'all',
    'web',
    'db',
    'db_backup',
    'prod',
    'other_top',
    'empty,web',
    'ungrouped',
    '10.1.0.*',
    '10.1.0.2',
    'fe80::1',
    'prod:!db_backup',
    'db:&prod',
    'backup*',
    '~^db',
    'all:!prod',
    'web[0:1]:db',
  ],
  precedence: ['all', 'parent', 'child', 'parent:!child', 'alpha:&zeta', 'h*', 'h3', 'ungrouped', '!h1'],
};

const NO_MATCH = ['nomatch', 'web:&db', 'empty', 'all:!all'];

describe('selectHosts matches ansible --limit', { skip: !python && 'ansible is not installed' }, () => {
  const reference = new Map<string, Record<string, string[] | { error: string }>>();
  const inventories = new Map<string, Inventory>();

  before(async () => {
    await Promise.all(
      Object.entries(TABLE).map(async ([fixture, patterns]) => {
        const path = join(FIXTURES, fixture);
        inventories.set(fixture, await loadInventory(path));
        reference.set(fixture, await ansiblePatterns(path, [...patterns, ...NO_MATCH]));
      }),
    );
  });

  for (const [fixture, patterns] of Object.entries(TABLE)) {
    for (const pattern of patterns) {
      it(`${fixture}: '${pattern}'`, () => {
        const theirs = reference.get(fixture)![pattern];
        assert.ok(Array.isArray(theirs), `ansible failed: ${JSON.stringify(theirs)}`);
        assert.ok(theirs.length > 0, 'a table pattern must match something');
        assert.deepEqual(
          selectHosts(inventories.get(fixture)!, pattern).map((h) => h.name),
          theirs,
        );
      });
    }
  }

  for (const pattern of NO_MATCH) {
    it(`'${pattern}' matches nothing in Ansible and is an error that names some groups`, () => {
      assert.deepEqual(reference.get('yaml-basic')![pattern], []);
      assert.throws(
        () => selectHosts(inventories.get('yaml-basic')!, pattern),
        (e: unknown) =>
          e instanceof NoHostsMatchedError && /matched no hosts/.test(e.message) && /web, db/.test(e.message),
      );
    });
  }

  it('the in-process reference lists what the ansible command lists', async () => {
    const path = join(FIXTURES, 'ini-ranges/hosts');
    const pattern = 'prod:&web*:!web-a*';
    const out = await ansibleCommand('ansible', ['all', '-i', path, '--limit', pattern, '--list-hosts']);
    assert.deepEqual(parseListHosts(out), reference.get('ini-ranges/hosts')![pattern]);
  });
});

describe('limit files', () => {
  it('reads @file as one pattern per line, as --limit @retry-file does', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'sls-play-limit-')), 'hosts.retry');
    writeFileSync(file, 'db-01\nweb02.example.com\n\n');
    const inv = await loadInventory(join(FIXTURES, 'ini-ranges/hosts'));
    assert.deepEqual(
      selectHosts(inv, `@${file}`).map((h) => h.name),
      ['web02.example.com', 'db-01'],
    );
    assert.throws(() => selectHosts(inv, '@/nonexistent/file'), /cannot read limit file/);
  });
});

describe('splitHostPattern', () => {
  it('splits as Ansible does: commas, else colons unless the whole is an address', () => {
    assert.deepEqual(splitHostPattern('a,b[1], c[2:3] , d'), ['a', 'b[1]', 'c[2:3]', 'd']);
    assert.deepEqual(splitHostPattern('all:!old:&eu'), ['all', '!old', '&eu']);
    assert.deepEqual(splitHostPattern('web[1:3]'), ['web[1:3]']);
    assert.deepEqual(splitHostPattern('host:22'), ['host:22']);
    assert.deepEqual(splitHostPattern('fe80::1'), ['fe80::1']);
  });
});
