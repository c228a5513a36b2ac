/** `exec <inv> <pattern> --list-hosts` needs no command, as `ansible <pattern> --list-hosts` needs no module. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliInProcess } from '../../helpers/in-process-cli.ts';

let inventory: string;

before(() => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-exec-lh-'));
  // an empty ansible.cfg keeps the developer's own out of the test
  writeFileSync(join(dir, 'ansible.cfg'), '');
  process.env.ANSIBLE_CONFIG = join(dir, 'ansible.cfg');
  inventory = join(dir, 'hosts');
  writeFileSync(inventory, '[web]\nweb-01\nweb-02\n[db]\ndb-01\n');
});

const cli = cliInProcess;

describe('exec --list-hosts', () => {
  it("prints the hosts in Ansible's format with no command after --", async () => {
    assert.deepEqual(await cli(['exec', inventory, 'web', '--list-hosts']), {
      code: 0,
      stdout: '  hosts (2):\n    web-01\n    web-02\n',
      stderr: '',
    });
  });

  it('with a command it still only lists', async () => {
    assert.deepEqual(await cli(['exec', inventory, 'all:!db', '--list-hosts', '--', 'uptime']), {
      code: 0,
      stdout: '  hosts (2):\n    web-01\n    web-02\n',
      stderr: '',
    });
  });

  it('without --list-hosts a missing command is exit 5 with the same one-line advice', async () => {
    assert.deepEqual(await cli(['exec', inventory, 'web']), {
      code: 5,
      stdout: '',
      stderr: 'sls-play: exec: no command given; put it after --, e.g. -- uptime\n',
    });
  });
});
