// Ctrl-C in the middle of a rollout: the first one lets what is under way finish (a written
// config is restarted), starts nothing new, prints the recap and exits 99; a second one exits at
// once. Neither ever leaves a half-written config, because the write itself is atomic.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import ssh2 from 'ssh2';
import { writeFileAtomic } from '../../src/remote/write-file.ts';
import { startFleet, type Fleet, type FleetHost } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import {
  assertConverged,
  assertOriginalOrIntended,
  assertUntouched,
  deployArgs,
  parseJson,
  restarting,
  spawnCli,
  tempFiles,
  waitUntil,
} from '../helpers/rollout.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NAMES = ['int-01', 'int-02', 'int-03', 'int-04', 'int-05', 'int-06'];
const SLOW_RESTART_MS = 2_500;

describe('Ctrl-C', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet(
      NAMES.map((name) => ({ name, config: OPERATOR_CONFIG, slowRestartMs: SLOW_RESTART_MS })),
      { subnet: 135 },
    );
  });
  after(async () => {
    await fleet?.stop();
  });

  test('first SIGINT: the hosts under way finish (written config restarted), no new host starts, recap, exit 99', async () => {
    const cli = spawnCli(deployArgs(fleet, ['--forks', '2']));
    const [first, second] = [fleet.host('int-01'), fleet.host('int-02')];
    await waitUntil('the first two hosts to be restarting', () => restarting(first) && restarting(second));
    cli.child.kill('SIGINT');
    const exit = await cli.exited;

    assert.equal(exit.code, 99, cli.stderr());
    assert.match(cli.stderr(), /SIGINT: no new host or step will start; finishing what is under way/);
    assert.match(
      cli.stderr(),
      /RECAP[\s\S]*6 hosts: 0 ok, 2 changed, 0 failed, 0 unreachable, 4 skipped \(interrupted\)/,
    );
    const json = parseJson({ code: exit.code!, stdout: cli.stdout(), stderr: cli.stderr() });
    assert.equal(json.interrupted, true);
    // the restarts under way completed, their handlers too: never a written config left unrestarted
    for (const h of [first, second]) {
      assert.equal(json.hosts[h.name]!.status, 'changed');
      assertConverged(fleet, h, OPERATOR_CONFIG);
    }
    for (const name of NAMES.slice(2)) {
      assert.equal(json.hosts[name]!.status, 'skipped');
      assert.equal(json.hosts[name]!.reason, 'not started: interrupted');
      assert.match(cli.stderr(), new RegExp(`${name} +: skipped .*\\(not started: interrupted\\)`));
      assertUntouched(fleet, fleet.host(name), OPERATOR_CONFIG);
    }
  });

  test('second SIGINT: exit 99 at once; every config is still the original or the intended one, whole', async () => {
    const rest = NAMES.slice(2).map((n) => fleet.host(n));
    const cli = spawnCli(deployArgs(fleet, ['-l', 'int-03,int-04,int-05,int-06', '--forks', '3']));
    await waitUntil('a host to be restarting', () => rest.some(restarting));
    cli.child.kill('SIGINT');
    await sleep(200);
    const secondAt = Date.now();
    cli.child.kill('SIGINT');
    const exit = await cli.exited;
    assert.equal(exit.code, 99, cli.stderr());
    assert.ok(exit.at - secondAt < 1_500, `exited ${exit.at - secondAt} ms after the second SIGINT`);
    assert.match(cli.stderr(), /SIGINT again: stopping now/);

    // the restarts the controller walked away from still complete on the hosts
    await waitUntil('the hosts to settle', () => !rest.some(restarting), 3 * SLOW_RESTART_MS + 5_000);
    const states = rest.map((h) => assertOriginalOrIntended(h, OPERATOR_CONFIG));
    for (const h of rest) assert.equal(h.serviceState(), 'active', `${h.name}: sensor running`);
    assert.ok(states.includes('intended'), 'a host had its config written before the second SIGINT');
    // the fourth host had not started (forks 3), the first three had: some of each, both whole
    assert.equal(assertOriginalOrIntended(fleet.host('int-06'), OPERATOR_CONFIG), 'original');
  });

  test('SIGTERM acts as the first Ctrl-C: the restart under way finishes, exit 99', async () => {
    const host = fleet.host('int-06');
    const cli = spawnCli(deployArgs(fleet, ['-l', 'int-06']));
    await waitUntil('int-06 to be restarting', () => restarting(host));
    cli.child.kill('SIGTERM');
    const exit = await cli.exited;
    assert.equal(exit.code, 99, cli.stderr());
    assert.match(cli.stderr(), /SIGTERM: no new host or step will start/);
    assert.equal(
      parseJson({ code: exit.code!, stdout: cli.stdout(), stderr: cli.stderr() }).hosts['int-06']!.status,
      'changed',
    );
    assertConverged(fleet, host, OPERATOR_CONFIG);
  });
});

describe('a write cut off by a lost connection', () => {
  let fleet: Fleet;
  before(async () => {
    fleet = await startFleet([{ name: 'cut-01', config: OPERATOR_CONFIG }, { name: 'cut-02' }], { subnet: 136 });
  });
  after(async () => {
    await fleet?.stop();
  });

  /** The exact script writeFileAtomic runs, captured without running it. */
  async function writeScript(content: string): Promise<string> {
    let script = '';
    const recorder = {
      exec: async (command: string) => {
        script = command;
        return { code: 0, stdout: '', stderr: '' };
      },
    };
    await writeFileAtomic(recorder, '/etc/sophos/runtimedetections.yaml', content, 0o600);
    return script;
  }

  /** Starts the write over a raw connection, sends part of the content, then drops the connection. */
  async function cutWrite(host: FleetHost, script: string, sent: string): Promise<void> {
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) =>
      client
        .on('ready', () => resolve())
        .on('error', reject)
        .connect({ host: host.address, port: host.port, username: 'root', privateKey: readFileSync(fleet.keyPath) }),
    );
    await new Promise<void>((resolve, reject) =>
      client.exec(script, (error, channel) => {
        if (error) return reject(error);
        if (sent) channel.write(sent);
        // as a controller killed by a second Ctrl-C: the socket goes, no EOF, no exit
        setTimeout(() => {
          (client as unknown as { _sock: { destroy(): void } })._sock.destroy();
          resolve();
        }, 300);
      }),
    );
  }

  test('half the content, then the connection drops: the old config stays, no temp file, no partial file', async () => {
    const content = `${OPERATOR_CONFIG}# ${'x'.repeat(4000)}\n`;
    const script = await writeScript(content);
    for (const [host, before] of [
      [fleet.host('cut-01'), OPERATOR_CONFIG],
      [fleet.host('cut-02'), null],
    ] as const) {
      for (const sent of [content.slice(0, 2000), '']) {
        await cutWrite(host, script, sent);
        await waitUntil(`${host.name}: the write's shell to end`, () => tempFiles(host).length === 0, 5_000);
        await sleep(500);
        assert.equal(
          host.readConfig(),
          before,
          `${host.name}: after ${sent.length} of ${content.length} bytes, the config is as before`,
        );
      }
    }
  });
});
