// A run whose one command is the user's takes the run lock inside that command (one command per
// host); a command fed on stdin keeps its input, the lock's holder going first. Run on this machine
// through the local connection (bash), as a host would run them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command } from '../../../src/modules/command.ts';
import { playbook } from '../../../src/playbook/define.ts';
import { runHost } from '../../../src/runner/host-run.ts';
import { Redactor } from '../../../src/secrets/redactor.ts';
import { LocalConnection } from '../../../src/transport/local.ts';
import type { ExecOptions } from '../../../src/transport/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sls-lock-in-command-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function runOne(params: Parameters<typeof command>[0]) {
  const local = new LocalConnection('here');
  let commands = 0;
  const connection = {
    host: 'here',
    exec: (line: string, options?: ExecOptions) => {
      commands += 1;
      return local.exec(line, options);
    },
    close: async () => undefined,
  } as never;
  const report = await runHost(
    { name: 'here', vars: { sls_play_state_dir: join(scratch, 'state') } },
    playbook({ name: 'one command', tasks: [command(params)] }),
    async () => connection,
    {
      check: false,
      diff: false,
      become: false,
      redactor: new Redactor(),
      lock: { mode: 'take', waitS: 0, by: 'alice@ci-01' },
    },
    () => undefined,
    () => false,
  );
  return { report, commands };
}

test("the user's one command takes the lock inside it: one command, its own output and exit code", async () => {
  const { report, commands } = await runOne({ name: 'c', cmd: "printf 'out'; echo err >&2; exit 4" });
  assert.equal(commands, 1);
  assert.equal(report.lock?.outcome, 'taken');
  const step = report.steps.find((s) => s.name === 'c') as { rc?: number; stdout?: string; stderr?: string };
  assert.deepEqual([step.rc, step.stdout, step.stderr], [4, 'out', 'err\n']);
});

test('a command fed on stdin keeps its input: the lock is a command of its own before it', async () => {
  const { report, commands } = await runOne({ name: 'c', cmd: 'cat', stdin: 'fed\n' });
  assert.equal(commands, 2);
  assert.equal(report.lock?.outcome, 'taken');
  const step = report.steps.find((s) => s.name === 'c') as { rc?: number; stdout?: string };
  assert.deepEqual([step.rc, step.stdout], [0, 'fed\n']);
});
