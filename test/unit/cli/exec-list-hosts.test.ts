/** `exec <inv> <pattern> --list-hosts` needs no command, as `ansible <pattern> --list-hosts` needs no module. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';

let inventory: string;

before(() => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-exec-lh-'));
  // an empty ansible.cfg keeps the developer's own out of the test
  writeFileSync(join(dir, 'ansible.cfg'), '');
  process.env.ANSIBLE_CONFIG = join(dir, 'ansible.cfg');
  inventory = join(dir, 'hosts');
  writeFileSync(inventory, '[web]\nweb-01\nweb-02\n[db]\ndb-01\n');
});

/** main() with stdout and stderr captured (nothing is connected to: no host is touched). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  // only strings: the test runner reports through the same stdout, in binary frames
  const capture = (stream: 'stdout' | 'stderr') =>
    ((s: string | Uint8Array, ...rest: unknown[]) =>
      typeof s === 'string' ? ((out[stream] += s), true) : (write[stream] as (...a: unknown[]) => boolean).call(process[stream], s, ...rest)) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    return { code: await main(args), ...out };
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  }
}

describe('exec --list-hosts', () => {
  it("prints the hosts in Ansible's format with no command after --", async () => {
    assert.deepEqual(await cli(['exec', inventory, 'web', '--list-hosts']), { code: 0, stdout: '  hosts (2):\n    web-01\n    web-02\n', stderr: '' });
  });

  it('with a command it still only lists', async () => {
    assert.deepEqual(await cli(['exec', inventory, 'all:!db', '--list-hosts', '--', 'uptime']), { code: 0, stdout: '  hosts (2):\n    web-01\n    web-02\n', stderr: '' });
  });

  it('without --list-hosts a missing command is exit 5 with the same one-line advice', async () => {
    assert.deepEqual(await cli(['exec', inventory, 'web']), { code: 5, stdout: '', stderr: 'sls-play: exec: no command given; put it after --, e.g. -- uptime\n' });
  });
});
