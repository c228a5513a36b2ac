import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyInventoryWarning, noHostsMatchedMessage } from '../../../src/cli/no-hosts.ts';
import type { Inventory } from '../../../src/inventory/types.ts';

const inventory = (hosts: string[], groups: string[]): Inventory =>
  ({
    source: 'inv/hosts',
    hosts: new Map(hosts.map((name) => [name, { name, vars: {} }])),
    groups: new Map(['all', 'ungrouped', ...groups].map((name) => [name, {}])),
  }) as unknown as Inventory;

test('an inventory without hosts gives a warning (the run does nothing and succeeds, as in Ansible)', () => {
  assert.equal(
    emptyInventoryWarning(inventory([], [])),
    'provided hosts list is empty: inv/hosts has no hosts, so no hosts matched and nothing was done',
  );
  assert.equal(emptyInventoryWarning(inventory(['h1'], [])), undefined);
});

test('a pattern that misses lists the groups, or the hosts when there are no groups, never an empty list', () => {
  assert.equal(
    noHostsMatchedMessage('web', inventory(['h1'], ['db', 'edge'])),
    "host pattern 'web' matched no hosts; groups in this inventory: db, edge",
  );
  assert.equal(
    noHostsMatchedMessage('web', inventory(['h1', 'h2'], [])),
    "host pattern 'web' matched no hosts; this inventory has no groups; its hosts are: h1, h2",
  );
});
