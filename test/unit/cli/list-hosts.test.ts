import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectionJson } from '../../../src/cli/connection-json.ts';
import { listHostsText } from '../../../src/cli/list-hosts.ts';

describe('--list-hosts', () => {
  it("prints Ansible's format", () => {
    assert.equal(listHostsText([{ name: 'web-01' }, { name: 'db-01' }]), '  hosts (2):\n    web-01\n    db-01\n');
    assert.equal(listHostsText([]), '  hosts (0):\n');
  });
});

describe('inventory --host --connection', () => {
  const base = {
    name: 'web-01',
    address: '10.0.0.1',
    port: 2222,
    user: 'deploy',
    privateKeyFiles: ['/k/id'],
    password: 'never-printed',
    knownHostsFile: '/kh/1',
    hostKeyChecking: 'strict' as const,
    connectTimeoutMs: 10_000,
  };

  it('gives the resolved connection without any password, bastions outermost first', () => {
    const json = connectionJson({
      ...base,
      extraKnownHostsFiles: ['/kh/2'],
      proxyJump: [{ ...base, name: 'bastion', address: 'b.example', port: 22, user: 'ops' }],
    });
    assert.deepEqual(json, {
      address: '10.0.0.1',
      port: 2222,
      user: 'deploy',
      identityFiles: ['/k/id'],
      proxyJump: [{ address: 'b.example', port: 22, user: 'ops' }],
      knownHostsFiles: ['/kh/1', '/kh/2'],
      strictHostKeyChecking: 'strict',
      connectTimeout: 10,
    });
    assert.doesNotMatch(JSON.stringify(json), /never-printed/);
  });

  it('ConnectTimeout 0 is printed as null: no timeout', () => {
    assert.equal(connectionJson({ ...base, connectTimeoutMs: 0 }).connectTimeout, null);
  });
});
