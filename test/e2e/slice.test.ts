// A run cut into slices (`--slice k/n --json-out …`, one controller each) and merged with
// `report merge` gives the same recap, document and exit status as one run over every host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { fleetArgs, runCli } from '../helpers/cli.ts';
import { spawnCli, waitUntil } from '../helpers/rollout.ts';
import { validateJunit } from '../helpers/xmllint.ts';
import { sliceOf } from '../../src/runner/slice.ts';

// Hash slices of 3: {web-01, web-03}, {web-02, db-01}, {edge-02, off-01}; off-01 is down, db-01's command fails.
const NAMES = ['web-01', 'web-02', 'web-03', 'db-01', 'edge-02'];
const COMMAND = 'if [ "$(hostname)" = db-01 ]; then echo broken >&2; exit 3; fi';

let fleet: Fleet;
let scratch: string;

before(async () => {
  fleet = await startFleet([...NAMES.map((name) => ({ name })), { name: 'off-01', down: true }], { subnet: 173 });
  scratch = mkdtempSync(join(tmpdir(), 'sls-slice-test-'));
});

after(async () => {
  await fleet?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const recap = (stdout: string) => stdout.slice(stdout.indexOf('\nRECAP'));
const exec = (extra: string[]) =>
  runCli(['exec', ...fleetArgs(fleet), 'all', '--retries', '0', ...extra, '--', COMMAND]);

test('three slices merged give the recap, document and exit status of one run over every host', async () => {
  const whole = await exec(['--json-out', join(scratch, 'whole.json')]);
  assert.equal(whole.code, 2, whole.stdout + whole.stderr);
  const slices = await Promise.all(
    [1, 2, 3].map((k) => exec(['--slice', `${k}/3`, '--json-out', join(scratch, `slice-${k}.json`)])),
  );
  const sliceHosts = [1, 2, 3].map((k) =>
    Object.keys(JSON.parse(readFileSync(join(scratch, `slice-${k}.json`), 'utf8')).hosts),
  );
  assert.deepEqual(sliceHosts, [
    ['web-01', 'web-03'],
    ['web-02', 'db-01'],
    ['edge-02', 'off-01'],
  ]);
  assert.deepEqual(
    slices.map((s) => s.code),
    [0, 2, 3],
    slices.map((s) => s.stderr).join('\n'),
  );

  // given in any order, as CI artefacts arrive
  const files = [3, 1, 2].map((k) => join(scratch, `slice-${k}.json`));
  const merged = await runCli([
    'report',
    'merge',
    ...files,
    '--junit',
    join(scratch, 'merged.xml'),
    '--json-out',
    join(scratch, 'merged.json'),
  ]);
  assert.equal(merged.code, whole.code, merged.stderr);
  assert.equal(recap(merged.stdout), recap(whole.stdout));
  assert.match(merged.stdout, /6 hosts: 0 ok, 4 changed, 1 failed, 1 unreachable, 0 skipped/);

  const wholeDoc = JSON.parse(readFileSync(join(scratch, 'whole.json'), 'utf8'));
  const mergedDoc = JSON.parse(readFileSync(join(scratch, 'merged.json'), 'utf8'));
  assert.deepEqual(Object.keys(mergedDoc.hosts), Object.keys(wholeDoc.hosts));
  assert.deepEqual(mergedDoc.summary, wholeDoc.summary);
  for (const name of Object.keys(wholeDoc.hosts)) {
    assert.equal(mergedDoc.hosts[name].status, wholeDoc.hosts[name].status, name);
    assert.equal(mergedDoc.hosts[name].steps.length, wholeDoc.hosts[name].steps.length, name);
  }

  const xml = readFileSync(join(scratch, 'merged.xml'), 'utf8');
  const valid = validateJunit(xml);
  assert.ok(valid.ok, valid.output);
  assert.equal(xml.match(/<testcase /g)?.length, 6);
  assert.match(xml, /<testcase name="db-01"[^>]*>\s*<failure type="failed" message="command: rc=3/);
  assert.match(xml, /<testcase name="off-01"[^>]*>\s*<error type="unreachable"/);
});

test('report merge with a slice missing names it and exits 5', async () => {
  await exec(['--slice', '1/3', '--json-out', join(scratch, 'only-1.json')]);
  const merged = await runCli(['report', 'merge', join(scratch, 'only-1.json')]);
  assert.equal(merged.code, 5);
  assert.match(
    merged.stderr,
    /^sls-play: report merge: slices 2\/3, 3\/3 missing: give every slice's --json-out file\n$/,
  );
});

test('--junit on a run: one testcase per host, validated against the JUnit schema; the API key never in either file', async () => {
  const key = 'e2e-slice-junit-key-93ab41';
  const run = await runCli(
    [
      'exec',
      ...fleetArgs(fleet),
      'web-*',
      '--junit',
      join(scratch, 'run.xml'),
      '--json-out',
      join(scratch, 'run.json'),
      '--',
      `echo ${key}`,
    ],
    {
      env: { SLS_API_KEY: key },
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const xml = readFileSync(join(scratch, 'run.xml'), 'utf8');
  const valid = validateJunit(xml);
  assert.ok(valid.ok, valid.output);
  assert.equal(xml.match(/<testcase /g)?.length, 3);
  for (const file of ['run.xml', 'run.json']) {
    const text = readFileSync(join(scratch, file), 'utf8');
    assert.ok(!text.includes(key), `${file} holds the key`);
    assert.match(text, /\*{8}/, file);
  }
});

test('interrupted: --json-out and --junit are still written, saying so, after one Ctrl-C and after two', async () => {
  for (const presses of [1, 2]) {
    const json = join(scratch, `int-${presses}.json`);
    const xml = join(scratch, `int-${presses}.xml`);
    const commands = () => fleet.hosts.reduce((n, h) => n + h.sshActivity().commands, 0);
    const before = commands();
    const cli = spawnCli([
      'exec',
      ...fleetArgs(fleet),
      'all:!off-01',
      '--forks',
      '1',
      '--json-out',
      json,
      '--junit',
      xml,
      '--',
      'sleep 2',
    ]);
    // a host's sshd has started the command: the run is under way
    await waitUntil('the first host to run the command', () => commands() > before, 20_000);
    cli.child.kill('SIGINT');
    if (presses === 2) {
      // the second press once the CLI has taken the first (two at once would arrive as one signal)
      await waitUntil('the first interrupt to be taken', () =>
        /SIGINT: no new host or step will start/.test(cli.stderr()),
      );
      cli.child.kill('SIGINT');
    }
    const end = await cli.exited;
    assert.equal(end.code, 99, cli.stderr());
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(doc.interrupted, true);
    assert.equal(Object.keys(doc.hosts).length, NAMES.length);
    assert.ok(doc.summary.skipped >= NAMES.length - 1, JSON.stringify(doc.summary));
    const report = readFileSync(xml, 'utf8');
    const checked = validateJunit(report);
    assert.ok(checked.ok, `${checked.output}\n${report}`);
    assert.match(report, /<property name="interrupted" value="true"\/>/);
    assert.match(report, presses === 1 ? /not started: interrupted/ : /not finished: stopped by a second interrupt/);
  }
});

test('an empty slice has nothing to do: exit 0, a note, and a result file that report merge accepts', async () => {
  const hosts = [...NAMES, 'off-01'];
  const empty = Array.from({ length: 50 }, (_, i) => i + 1).find((k) => hosts.every((h) => sliceOf(h, 50) !== k))!;
  const run = await exec(['--slice', `${empty}/50`, '--json-out', join(scratch, 'empty.json')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(`^note: slice ${empty}/50 holds none of the 6 selected hosts; nothing to do$`, 'm'),
  );
  const doc = JSON.parse(readFileSync(join(scratch, 'empty.json'), 'utf8'));
  assert.deepEqual(doc.hosts, {});
  assert.equal(doc.slice.selected.length, 6);
});
