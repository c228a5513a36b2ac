// Remote work per host, counted where a user's security team would count it: each host's sshd
// log (LogLevel VERBOSE: "Accepted publickey" per connection, "Starting session: command" per
// command). On a WAN every command is a round trip, so these counts are the converge's latency.
// The bounds are the numbers today: a change that adds a command or a connection fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FleetHost, SshActivity } from '../fleet/fleet.ts';
import { useFleet } from '../helpers/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import { deploy, MCS_URL, type Deployed } from '../helpers/rollout.ts';

/**
 * Commands a fresh host's converge takes: the facts (with the owed-handlers record), then the
 * write, the restart, its check, the test alert and the record's updates as one command.
 */
const MAX_COMMANDS_FRESH = 2;
/** A converged host: the gather shows nothing to do, and that is all. */
const MAX_COMMANDS_CONVERGED = 1;
/** One SSH connection per host and run, whatever the playbook does. */
const CONNECTIONS_PER_RUN = 1;

const HOSTS = [
  // an operator's config without the mcs output: the usual first rollout
  { name: 'fresh-01', config: OPERATOR_CONFIG },
  // no config file at all yet
  { name: 'fresh-02' },
];

let fresh: Deployed;
let converged: Deployed;
const activity = new Map<string, { fresh: SshActivity; converged: SshActivity }>();

const minus = (a: SshActivity, b: SshActivity): SshActivity => ({
  connections: a.connections - b.connections,
  commands: a.commands - b.commands,
});

/** What one deploy did on each host, from the difference in its sshd log. */
async function counted(run: () => Promise<Deployed>): Promise<{ run: Deployed; perHost: Map<string, SshActivity> }> {
  const before = new Map(fleet.hosts.map((h) => [h.name, h.sshActivity()]));
  const done = await run();
  return {
    run: done,
    perHost: new Map(fleet.hosts.map((h: FleetHost) => [h.name, minus(h.sshActivity(), before.get(h.name)!)])),
  };
}

const fleet = useFleet(HOSTS, { subnet: 206 }, async () => {
  const first = await counted(() => deploy(fleet));
  fresh = first.run;
  const second = await counted(() => deploy(fleet));
  converged = second.run;
  for (const h of fleet.hosts)
    activity.set(h.name, { fresh: first.perHost.get(h.name)!, converged: second.perHost.get(h.name)! });
});

test('a fresh host converges over one connection in at most MAX_COMMANDS_FRESH commands', () => {
  assert.equal(fresh.code, 0, fresh.stderr);
  for (const host of fleet.hosts) {
    // the count means something only if the job was done
    assert.equal(fresh.json.hosts[host.name]?.status, 'changed', host.name);
    assert.equal(host.restartCount(), 1, `${host.name}: restarted once`);
    assert.ok(host.readConfig()?.includes(MCS_URL), `${host.name}: the config has the mcs output`);
    assert.equal(host.loadedConfig(), host.readConfig(), `${host.name}: the sensor runs the new config`);
    const seen = activity.get(host.name)!.fresh;
    assert.equal(seen.connections, CONNECTIONS_PER_RUN, `${host.name}: SSH connections`);
    assert.ok(
      seen.commands >= 1 && seen.commands <= MAX_COMMANDS_FRESH,
      `${host.name}: ${seen.commands} remote commands, at most ${MAX_COMMANDS_FRESH} allowed`,
    );
  }
});

test('a converged host takes one connection and one command (the gather)', () => {
  assert.equal(converged.code, 0, converged.stderr);
  assert.deepEqual(converged.json.summary, { ok: HOSTS.length, changed: 0, failed: 0, unreachable: 0, skipped: 0 });
  for (const host of fleet.hosts) {
    assert.equal(host.restartCount(), 1, `${host.name}: not restarted again`);
    const seen = activity.get(host.name)!.converged;
    assert.equal(seen.connections, CONNECTIONS_PER_RUN, `${host.name}: SSH connections`);
    assert.ok(
      seen.commands >= 1 && seen.commands <= MAX_COMMANDS_CONVERGED,
      `${host.name}: ${seen.commands} remote commands, at most ${MAX_COMMANDS_CONVERGED} allowed`,
    );
  }
});
