// The remote script of a service start, run by dash with a fake systemctl and journalctl: a unit
// name with shell syntax is data, never run, and is reported as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceScript } from '../../../src/modules/service.ts';
import { shellQuote } from '../../../src/remote/quote.ts';

test('a hostile unit name runs nothing and is reported as written', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sls-service-'));
  for (const [name, body] of [
    ['systemctl', 'echo failed'],
    ['journalctl', 'echo "level=error msg=\\"boom\\""'],
  ] as const) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  const unit = `demo$(touch PWNED1)\`touch PWNED2\`'q'"dq";touch PWNED3`;
  const run = spawnSync('dash', ['-c', serviceScript(unit, `systemctl restart ${shellQuote(unit)}`, 1, 'restart')], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: `${dir}:/usr/bin:/bin` },
  });
  assert.equal(run.status, 1);
  assert.match(
    run.stdout,
    new RegExp(`^${unit.replace(/[$()`'"*.?+[\]{}|\\^]/g, '\\$&')} is failed after the restart$`, 'm'),
  );
  assert.match(run.stdout, /--- journal\nlevel=error msg="boom"/);
  for (const canary of ['PWNED1', 'PWNED2', 'PWNED3'])
    assert.equal(existsSync(join(dir, canary)), false, `${canary}: the unit name ran as shell`);
});
