// Two teams' runs on the same hosts at once, as issue 25 found them: the SLS playbook (adds the
// mcs output) and a user playbook (sets send_labs_telemetry: false), both editing
// /etc/sophos/runtimedetections.yaml, started together, several rounds. Without the run lock one
// run's write silently undid the other's while both reported `changed`. Now either both changes
// are on every host, or the run that could not get a host failed that host and says why; never a
// reported change that is not on the host at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { useFleet } from '../helpers/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { fleetArgs } from '../helpers/cli.ts';
import { deployArgs, MCS_URL, parseJson, resetConfig, spawnCli, type RunJson } from '../helpers/rollout.ts';

const HOSTS = ['race-01', 'race-02', 'race-03', 'race-04'];
const USER_PLAYBOOK = 'test/fixtures/playbooks/labs-telemetry-off.ts';
const ROUNDS = 3;

const fleet = useFleet(
  // a restart of a few seconds: the SLS run holds each host long enough for the runs to meet
  HOSTS.map((name) => ({ name, config: OPERATOR_CONFIG, slowRestartMs: 4_000 })),
  { subnet: 234 },
);

async function finished(
  live: ReturnType<typeof spawnCli>,
): Promise<{ code: number | null; json: RunJson; stderr: string }> {
  const done = await live.exited;
  return {
    code: done.code,
    json: parseJson({ code: done.code ?? -1, stdout: live.stdout(), stderr: live.stderr() }),
    stderr: live.stderr(),
  };
}

/** Both runs started together; what each reported, and what each host's config holds at the end. */
async function round(userExtra: string[]): Promise<number> {
  let refused = 0;
  for (const host of fleet.hosts) resetConfig(host, OPERATOR_CONFIG);
  const sls = spawnCli(deployArgs(fleet));
  const user = spawnCli(['deploy', ...fleetArgs(fleet), '-p', USER_PLAYBOOK, '--json', ...userExtra]);
  const [slsRun, userRun] = await Promise.all([finished(sls), finished(user)]);
  for (const host of fleet.hosts) {
    const config = YAML.parse(host.readConfig() ?? '') as { send_labs_telemetry?: boolean; alert_output?: unknown };
    const hasMcs = JSON.stringify(config.alert_output).includes(MCS_URL);
    const telemetryOff = config.send_labs_telemetry === false;
    const checks: Array<[string, RunJson, boolean]> = [
      ['the SLS run', slsRun.json, hasMcs],
      ['the user run', userRun.json, telemetryOff],
    ];
    for (const [who, json, onHost] of checks) {
      const report = json.hosts[host.name]!;
      if (report.status === 'changed' || report.status === 'ok') {
        assert.ok(onHost, `${host.name}: ${who} reported ${report.status}, yet its change is not on the host`);
      } else {
        assert.equal(report.status, 'failed', `${host.name}: ${who}`);
        refused += 1;
        const lock = report.steps.find((s) => s.name === 'run lock');
        assert.match(
          lock?.message ?? '',
          /^held by run [0-9a-f]+ of \S+ since \S+; gave up after waiting/,
          `${host.name}: ${who} says why`,
        );
      }
    }
  }
  for (const run of [slsRun, userRun]) assert.ok(run.code === 0 || run.code === 2, run.stderr);
  return refused;
}

test(`started together, ${ROUNDS} rounds: both changes on every host (the second run waits for the first)`, async () => {
  for (let i = 0; i < ROUNDS; i++) {
    await round([]);
    for (const host of fleet.hosts) {
      const config = host.readConfig() ?? '';
      assert.ok(config.includes(MCS_URL), `round ${i + 1}, ${host.name}: the mcs output is there`);
      assert.match(config, /^send_labs_telemetry: false$/m, `round ${i + 1}, ${host.name}: telemetry is off`);
    }
  }
});

test('with --lock-wait 0: the run that meets a held host fails it and says why; nothing it reports is lost', async () => {
  let refused = 0;
  for (let i = 0; i < ROUNDS; i++) refused += await round(['--lock-wait', '0']);
  // the runs did meet: some host was refused to the one that came second
  assert.ok(refused > 0, 'the two runs overlapped on some host');
});
