// The CLI of a checkout runs dist/ (bin/build.mjs), built again when a source changed since, and
// a TypeScript playbook loaded at run time shares the CLI's modules: a secret it registers is
// masked by the CLI's redactor, and its PlaybookInputError is recognised (exit 5, one line).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, REPO, runCli } from '../helpers/cli.ts';

const INVENTORY = 'test/fixtures/inventories/yaml-basic/hosts.yml';

test('a playbook importing sls-play shares the CLI’s module instances', async () => {
  const run = await runCli(['deploy', INVENTORY, '-p', 'test/fixtures/playbooks/shared-modules.ts']);
  assert.equal(run.code, 5, run.stderr);
  assert.match(run.stderr, /^sls-play: [^:]+: refusing on purpose; token \*{8}\n$/);
});

test('a source changed since the last build is built again before the CLI runs', async () => {
  const source = join(REPO, 'src', 'version.ts');
  const key = join(REPO, 'node_modules', '.cache', 'sls-play', 'dist-key');
  const before = readFileSync(key, 'utf8');
  const now = new Date();
  utimesSync(source, now, now);
  const run = await runCli(['--version']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  assert.notEqual(readFileSync(key, 'utf8'), before, 'dist/ was built for the sources as they are now');
});

let fleet: Fleet | undefined;
after(async () => {
  await fleet?.stop();
});

test('the SLS playbook (importing sls-play and sls-play/sls) deploys through the compiled CLI', async () => {
  fleet = await startFleet(
    [
      { name: 'cc-01', config: OPERATOR_CONFIG },
      { name: 'cc-02', config: OPERATOR_CONFIG },
    ],
    { subnet: 174 },
  );
  const key = 'e2e-compiled-cli-key-60b2f9';
  const args = ['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', '--json'];
  const env = { SLS_API_KEY: key };
  const check = await runCli([...args, '--check', '--diff'], { env });
  assert.equal(check.code, 0, check.stderr);
  assert.ok(!check.stdout.includes(key) && !check.stderr.includes(key), 'the API key is masked in the diff');
  const deploy = await runCli(args, { env });
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.deepEqual(JSON.parse(deploy.stdout).summary, { ok: 0, changed: 2, failed: 0, unreachable: 0, skipped: 0 });
  const again = await runCli(args, { env });
  assert.deepEqual(JSON.parse(again.stdout).summary, { ok: 2, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
});
