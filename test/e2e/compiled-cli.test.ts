// The precompiled CLI (bin/compiled.mjs) behaves as the sources run through tsx (SLS_PLAY_TSX=1),
// and a TypeScript playbook loaded at run time shares the CLI's modules: a secret it registers
// is masked by the CLI's redactor, and its PlaybookInputError is recognised (exit 5, one line).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';

const TSX = { SLS_PLAY_TSX: '1' };
const INVENTORY = 'test/fixtures/inventories/yaml-basic/hosts.yml';
/** A run document without what differs between two runs of the same thing: when each host and step ran. */
function untimed(stdout: string): unknown {
  const doc = JSON.parse(stdout) as { run?: unknown; hosts: Record<string, { startedAt?: string; finishedAt?: string; steps: { startedAt?: string; seconds?: number }[] }> };
  delete doc.run;
  for (const host of Object.values(doc.hosts)) {
    delete host.startedAt;
    delete host.finishedAt;
    for (const step of host.steps) {
      delete step.startedAt;
      delete step.seconds;
    }
  }
  return doc;
}
const both = (args: string[]) => Promise.all([runCli(args), runCli(args, { env: TSX })]);

test('a playbook importing sls-play shares the CLI’s module instances, compiled or not', async () => {
  for (const run of await both(['deploy', INVENTORY, '-p', 'test/fixtures/playbooks/shared-modules.ts'])) {
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /^sls-play: [^:]+: refusing on purpose; token \*{8}\n$/);
  }
});

test('--help, a TypeScript inventory and a bad option give the same output compiled or through tsx', async () => {
  for (const args of [['--help'], ['inventory', 'test/fixtures/inventories/ts-module', '--list'], ['exec', INVENTORY, 'all', '--slice', '9/2', '--', 'true']]) {
    const [compiled, tsx] = await both(args);
    assert.equal(compiled.code, tsx.code, args.join(' '));
    assert.equal(compiled.stdout, tsx.stdout, args.join(' '));
    assert.equal(compiled.stderr, tsx.stderr, args.join(' '));
  }
});

let fleet: Fleet | undefined;
after(async () => {
  await fleet?.stop();
});

test('the SLS playbook (importing sls-play and sls-play/sls) deploys through the compiled CLI as through tsx', async () => {
  fleet = await startFleet([{ name: 'cc-01', config: OPERATOR_CONFIG }, { name: 'cc-02', config: OPERATOR_CONFIG }], { subnet: 174 });
  const key = 'e2e-compiled-cli-key-60b2f9';
  const args = ['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', '--json'];
  const env = { SLS_API_KEY: key };
  const [compiled, tsx] = await Promise.all([runCli([...args, '--check', '--diff'], { env }), runCli([...args, '--check', '--diff'], { env: { ...env, ...TSX } })]);
  assert.equal(compiled.code, 0, compiled.stderr);
  assert.deepEqual(untimed(compiled.stdout), untimed(tsx.stdout));
  assert.ok(!compiled.stdout.includes(key) && !compiled.stderr.includes(key), 'the API key is masked in the diff');
  const deploy = await runCli(args, { env });
  assert.equal(deploy.code, 0, deploy.stderr);
  assert.deepEqual(JSON.parse(deploy.stdout).summary, { ok: 0, changed: 2, failed: 0, unreachable: 0, skipped: 0 });
  const again = await runCli(args, { env });
  assert.deepEqual(JSON.parse(again.stdout).summary, { ok: 2, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
});
