// Property: `--check` never changes a host. For the mixed example playbook (file, lineInFile,
// yamlEdit, command, service and a restoring handler), --check with --diff and -e values (team,
// demo_port, demo_restart) leaves every host of a mixed fleet (fresh, converged, a demo that will
// not restart) exactly as it was: files, journal, services. Through the real CLI and sshd this
// covers every pair of options (a covering array, plus all of them at once); every one of the
// combinations is run in process by test/unit/modules/check-property.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { useFleet } from '../helpers/fleet.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';
import { parseJsonReport } from './deploy-helpers.ts';
import { demoState, putFile, snapshot } from './module-helpers.ts';

const PLAYBOOK = fileURLToPath(new URL('../fixtures/playbooks/mixed.ts', import.meta.url));

const deploy = (...args: string[]) => runCli(['deploy', ...fleetArgs(fleet), '-p', PLAYBOOK, '--json', ...args]);

const fleet = useFleet(
  [
    { name: 'fresh-01', demo: 'inactive' },
    { name: 'conv-01', demo: 'inactive' },
    { name: 'stuck-01', demo: 'active' },
  ],
  { subnet: 181 },
  async () => {
    putFile(fleet.host('fresh-01'), 'demo.conf', 'port = 80\n');
    putFile(fleet.host('fresh-01'), 'app.yaml', '# app\nname: demo\n');
    const converge = await deploy('-l', 'conv-01');
    assert.equal(converge.code, 0, converge.stderr + converge.stdout);
    assert.equal(demoState(fleet.host('conv-01')).state, 'active');
    // demo is running, but its config now says it must not start: any restart would fail
    putFile(fleet.host('stuck-01'), 'demo.conf', 'port = 80\nfail = yes\n');
  },
);

const OPTIONS = [['--diff'], ['-e', 'team=sec'], ['-e', 'demo_port=9090'], ['-e', 'demo_restart=true']];
// Every pair of options appears in all four on/off combinations (a strength-2 covering array).
const ROWS = ['0000', '0111', '1011', '1101', '1110', '1111'];

function combinations(): string[][] {
  return ROWS.map((row) => OPTIONS.flatMap((option, i) => (row[i] === '1' ? option : [])));
}

test('--check with every pair of --diff and -e values leaves every host untouched', async () => {
  const combos = combinations();
  const before = fleet.hosts.map((h) => snapshot(h));
  // three at a time: check runs only read, so they may overlap
  for (let i = 0; i < combos.length; i += 3) {
    const batch = combos.slice(i, i + 3);
    const runs = await Promise.all(batch.map((args) => deploy('--check', ...args)));
    runs.forEach((r, j) => {
      const args = batch[j]!.join(' ');
      assert.equal(r.code, 0, `--check ${args}: exit ${r.code}\n${r.stderr}${r.stdout.slice(0, 2000)}`);
      const report = parseJsonReport(r.stdout);
      for (const [name, host] of Object.entries(report.hosts)) {
        for (const s of host.steps) {
          if (s.status === 'changed')
            assert.match(s.message, /^would /, `--check ${args}: ${name} "${s.name}" said ${s.message}`);
          if (s.status === 'skipped' && /restart/.test(s.name)) assert.match(s.message, /would run/);
        }
        if (args.includes('--diff')) continue;
        assert.ok(
          host.steps.every((s) => s.diff === undefined),
          `--check ${args}: a diff without --diff on ${name}`,
        );
      }
      // a fresh host would change in every combination; the diff shows its config change
      const fresh = report.hosts['fresh-01']!.steps;
      assert.ok(fresh.some((s) => s.name === 'demo port' && s.status === 'changed'));
      if (args.includes('--diff'))
        assert.match(fresh.find((s) => s.name === 'demo port')!.diff ?? '', /\+port = (8080|9090)/);
    });
    for (const [k, h] of fleet.hosts.entries()) {
      assert.deepEqual(
        snapshot(h),
        before[k],
        `${h.name} changed after --check ${batch.map((b) => b.join(' ')).join(' | ')}`,
      );
    }
  }
});

test('the same playbook without --check does change them (the property is not vacuous)', async () => {
  const r = await deploy('-l', 'fresh-01,stuck-01', '-e', 'demo_port=9090');
  const report = parseJsonReport(r.stdout);
  assert.equal(report.hosts['fresh-01']!.status, 'changed', JSON.stringify(report.hosts['fresh-01']));
  assert.equal(demoState(fleet.host('fresh-01')).state, 'active');
  // stuck-01's restart fails, the port line is restored, and demo (restarted again) still fails
  assert.equal(report.hosts['stuck-01']!.status, 'failed');
  const handler = report.hosts['stuck-01']!.steps.find((s) => s.name === 'restart demo')!;
  assert.match(
    handler.message,
    /demo\.conf line 2: fail = yes.*the previous demo port was restored but "restart demo" failed again/,
  );
});
