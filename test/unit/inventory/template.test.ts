/** `{{ }}` in inventory variables: rendered as the real Ansible renders them (ansible -m debug). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadInventory, toAnsibleList } from '../../../src/inventory/index.ts';
import { Templar, TemplateError, UnrenderedValue } from '../../../src/inventory/template/index.ts';
import { pythonReplacement, regexReplace, toInt } from '../../../src/inventory/template/filters.ts';
import { jinjaEscapes } from '../../../src/inventory/template/templar.ts';
import type { Inventory, Vars } from '../../../src/inventory/types.ts';
import { ansibleCommand, python } from './ansible-reference.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/inventories/templated');
const NAMES = [
  'ansible_host',
  'domain',
  'sls_region',
  'ansible_user',
  'team_label',
  'first_web',
  'last_sensor',
  'web_hosts',
  'number',
  'as_text',
  'trimmed',
  'renamed',
  'peer_domain',
  'nested',
  'is_eu',
  'upper_site',
  'literal_text',
];

function templarOf(inventory: Inventory, extra: Vars = {}): Templar {
  return new Templar(inventory, (h) => ({ ...inventory.hosts.get(h)!.vars, ...extra }));
}

/** What `ansible <host> -m debug` prints for each variable of every host (no connection is made). */
async function ansibleRendered(inventory: string): Promise<Record<string, Vars>> {
  const msg = `msg={{ {${NAMES.map((n) => `"${n}": ${n}`).join(', ')}} }}`;
  const out = await ansibleCommand('ansible', ['-i', inventory, 'all', '-m', 'debug', '-a', msg]);
  const result: Record<string, Vars> = {};
  for (const [, host, json] of out.matchAll(/^(\S+) \| SUCCESS => (\{[\s\S]*?\n\})/gm))
    result[host!] = (JSON.parse(json!) as { msg: Vars }).msg;
  return result;
}

describe('templated inventory variables', () => {
  it('render as Ansible renders them: magic variables, hostvars, nested values, filters, types', {
    skip: python === undefined ? 'ansible is not installed' : false,
  }, async () => {
    const inventory = await loadInventory(FIXTURE);
    const templar = templarOf(inventory);
    const theirs = await ansibleRendered(FIXTURE);
    assert.deepEqual(Object.keys(theirs).sort(), [...inventory.hosts.keys()].sort());
    for (const host of inventory.hosts.keys()) {
      const ours = Object.fromEntries(NAMES.map((n) => [n, templar.variable(host, n)]));
      assert.deepEqual(ours, theirs[host], host);
    }
  });

  it('are kept unrendered by inventory --list, as ansible-inventory does', async () => {
    const list = toAnsibleList(await loadInventory(FIXTURE));
    assert.equal(list._meta.hostvars['db-01']!.ansible_host, '{{ inventory_hostname }}.db.internal');
  });

  it('an undefined variable names the variable, the expression and a way out', async () => {
    const inventory = await loadInventory(FIXTURE);
    const templar = templarOf(inventory, { broken: '{{ nowhere }}.example', syntax: '{{ site | }}' });
    assert.throws(
      () => templar.variable('db-01', 'broken'),
      (e: unknown) =>
        e instanceof TemplateError &&
        e.message ===
          `host db-01: variable broken: cannot render "{{ nowhere }}.example": 'nowhere' is undefined; define it, or give a default: {{ nowhere | default('…') }}`,
    );
    assert.throws(
      () => templar.variable('db-01', 'syntax'),
      /host db-01: variable syntax: cannot render "\{\{ site \| \}\}": /,
    );
  });

  it('a variable used by another reports its own error; a loop is named', async () => {
    const inventory = await loadInventory(FIXTURE);
    const templar = templarOf(inventory, { a: '{{ b }}', b: 'x{{ a }}', outer: '{{ inner }}', inner: '{{ gone }}' });
    assert.throws(
      () => templar.variable('db-01', 'a'),
      /variable a: cannot render "\{\{ b \}\}": it refers to itself \(a → b → a\)/,
    );
    assert.throws(() => templar.renderHost('db-01'), /variable a: .*refers to itself/);
    assert.throws(
      () => templarOf(inventory, { outer: '{{ inner }}', inner: '{{ gone }}' }).variable('db-01', 'outer'),
      /variable inner: cannot render "\{\{ gone \}\}": 'gone' is undefined/,
    );
  });

  it('renderHostLazily leaves a variable that cannot render in place, an error only where it is used', async () => {
    const inventory = await loadInventory(FIXTURE);
    const { vars, failures } = templarOf(inventory, {
      motd: 'Welcome to {{ ansible_hostname }}',
      uses_motd: '{{ motd }}!',
    }).renderHostLazily('db-01');
    assert.equal(vars.ansible_host, 'db-01.db.internal');
    assert.ok(vars.motd instanceof UnrenderedValue);
    assert.deepEqual([...failures.keys()].sort(), ['motd', 'uses_motd']);
    assert.throws(
      () => `${String(vars.motd)}`,
      /host db-01: variable motd: cannot render "Welcome to \{\{ ansible_hostname \}\}": 'ansible_hostname' is undefined/,
    );
    assert.throws(() => JSON.stringify(vars), /variable motd/);
    assert.deepEqual(Object.keys(vars.motd as object), [], 'nothing to walk into');
  });

  it('extra variables win, and plain values pass through untouched', async () => {
    const inventory = await loadInventory(FIXTURE);
    const vars = templarOf(inventory, { site: 'US', region_override: 'Tokyo' }).renderHost('web-01.prod.example');
    assert.equal(vars.ansible_host, 'web-01.us.example.net');
    assert.equal(vars.sls_region, 'Tokyo');
    assert.deepEqual(vars.regions, { EU: 'eu-west-1', US: 'us-west-2' });
  });
});

describe('Ansible filters nunjucks lacks', () => {
  it('regex_replace takes Python patterns and replacements', () => {
    assert.equal(regexReplace('web-07', '^(?P<kind>\\w+)-(\\d+)$', '\\g<kind>:\\2'), 'web:07');
    assert.equal(regexReplace('A-b', 'a', 'x', { __keywords: true, ignorecase: true }), 'x-b');
    assert.equal(pythonReplacement('$1 \\1'), '$$1 $1');
  });

  it("int is Jinja's: a default for what is not a number", () => {
    assert.equal(toInt('12'), 12);
    assert.equal(toInt('x'), 0);
    assert.equal(toInt('x', 5), 5);
    assert.equal(toInt('3.9'), 3);
    assert.equal(toInt('ff', 0, 16), 255);
  });

  it("keeps Jinja's unknown escapes in string literals, and only inside tags", () => {
    assert.equal(jinjaEscapes(`a\\d {{ '\\d\\n' }}`), `a\\d {{ '\\\\d\\n' }}`);
  });
});
