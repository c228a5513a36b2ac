// Property, in process: for the mixed example playbook (file, lineInFile, yamlEdit, command,
// service, a restoring handler), runHost in check mode with every combination of --diff and the
// -e values, on a fresh, a converged and a stuck host, changes nothing: not a byte under the host's
// directory, not the fake service's state or log. The "host" is a local shell on a temp directory
// standing in for /etc/sophos, with a fake systemctl first on PATH (no real service is touched).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mixed from '../../fixtures/playbooks/mixed.ts';
import { playbook } from '../../../src/playbook/define.ts';
import { yamlEdit } from '../../../src/modules/yaml-edit.ts';
import { runHost } from '../../../src/runner/host-run.ts';
import { Redactor } from '../../../src/secrets/redactor.ts';
import type { HostReport } from '../../../src/runner/types.ts';
import type { Connection, ExecOptions, ExecResult } from '../../../src/transport/types.ts';

let root: string;

/** A fake host: its /etc/sophos is `dir/etc`, its demo unit's state is `dir/demo.state`. */
function makeHost(name: string, files: Record<string, string>, demo: 'active' | 'inactive'): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'etc'), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, 'etc', file), content);
  writeFileSync(join(dir, 'demo.state'), `${demo}\n`);
  writeFileSync(join(dir, 'demo.log'), '');
  const systemctl = join(dir, 'bin', 'systemctl');
  writeFileSync(
    systemctl,
    `#!/bin/sh
d='${dir}'
verb=$1
st=$(cat "$d/demo.state")
case "$verb" in
  is-active) echo "$st"; [ "$st" = active ];;
  is-enabled) if [ -f "$d/enabled" ]; then echo enabled; else echo disabled; exit 1; fi;;
  enable) touch "$d/enabled"; echo "enable" >> "$d/demo.log";;
  disable) rm -f "$d/enabled"; echo "disable" >> "$d/demo.log";;
  stop) echo inactive > "$d/demo.state"; echo stop >> "$d/demo.log";;
  start|restart|reload) echo "$verb" >> "$d/demo.log"
    if grep -q '^fail = yes' "$d/etc/demo.conf" 2>/dev/null; then echo failed > "$d/demo.state"; exit 1; fi
    echo active > "$d/demo.state";;
  *) exit 1;;
esac
`,
  );
  chmodSync(systemctl, 0o755);
  writeFileSync(join(dir, 'bin', 'journalctl'), '#!/bin/sh\necho "fake journal"\n');
  chmodSync(join(dir, 'bin', 'journalctl'), 0o755);
  return dir;
}

/** Runs each command in a local shell, with /etc/sophos/ standing for the host's directory. */
function connection(dir: string): Connection {
  return {
    host: dir,
    exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
      const local = command.split('/etc/sophos/').join(`${dir}/etc/`);
      return new Promise((resolve, reject) => {
        // cwd: the host's tree, so a value that ran as a command (`touch PWNED`) would change it
        const child = spawn('sh', ['-c', local], { cwd: dir, env: { PATH: `${dir}/bin:/usr/bin:/bin`, LC_ALL: 'C' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.stdin.on('error', () => undefined); // a command that does not read its stdin
        child.on('close', (code) => resolve({ code: code ?? 255, stdout, stderr }));
        child.stdin.end(options.stdin ?? '');
      });
    },
    close: async () => undefined,
  };
}

function hashTree(dir: string, out: Record<string, string> = {}, prefix = ''): Record<string, string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) hashTree(path, out, `${prefix}${name}/`);
    else
      out[`${prefix}${name}`] =
        `${(stat.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
  }
  return out;
}

async function run(dir: string, vars: Record<string, unknown>, check: boolean, diff: boolean): Promise<HostReport> {
  return runHost(
    { name: dir.split('/').pop()!, vars },
    mixed,
    async () => connection(dir),
    { check, diff, become: false, redactor: new Redactor() },
    () => undefined,
    () => false,
  );
}

const hosts: Record<string, string> = {};

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sls-check-property-'));
  hosts.fresh = makeHost('fresh', { 'demo.conf': 'port = 80\n', 'app.yaml': '# app\nname: demo\n' }, 'inactive');
  hosts.empty = makeHost('empty', {}, 'inactive');
  hosts.converged = makeHost('converged', {}, 'inactive');
  hosts.stuck = makeHost('stuck', { 'demo.conf': 'port = 80\nfail = yes\n' }, 'active');
  const converge = await run(hosts.converged, {}, false, false);
  assert.equal(converge.status, 'changed', JSON.stringify(converge.steps));
  assert.equal(readFileSync(join(hosts.converged, 'demo.state'), 'utf8'), 'active\n');
});

after(() => {
  if (root && existsSync(root)) rmSync(root, { recursive: true, force: true });
});

/** Every combination of --diff and the -e values, as -e would give them (strings). */
function combinations(): { diff: boolean; vars: Record<string, string> }[] {
  const out: { diff: boolean; vars: Record<string, string> }[] = [];
  for (const diff of [false, true])
    for (const team of [undefined, 'sec', "o'brien $(touch PWNED)"])
      for (const port of [undefined, '8080', '9090'])
        for (const restart of [undefined, 'true', 'false']) {
          const vars: Record<string, string> = {};
          if (team !== undefined) vars.team = team;
          if (port !== undefined) vars.demo_port = port;
          if (restart !== undefined) vars.demo_restart = restart;
          out.push({ diff, vars });
        }
  return out;
}

test('check mode with every combination of --diff and -e values changes nothing on any host', async () => {
  const combos = combinations();
  assert.equal(combos.length, 54);
  for (const [kind, dir] of Object.entries(hosts)) {
    const before = hashTree(dir);
    for (const { diff, vars } of combos) {
      const report = await run(dir, vars, true, diff);
      const label = `${kind} --check${diff ? ' --diff' : ''} ${JSON.stringify(vars)}`;
      assert.deepEqual(hashTree(dir), before, `${label} changed the host`);
      assert.ok(
        report.steps.every((s) => s.status !== 'changed' || s.message.startsWith('would ')),
        `${label}: ${JSON.stringify(report.steps)}`,
      );
      assert.ok(
        report.steps.every((s) => s.name !== 'restart demo' || (s.status === 'skipped' && /would run/.test(s.message))),
        `${label}: the handler ran`,
      );
      if (!diff)
        assert.ok(
          report.steps.every((s) => s.diff === undefined),
          `${label}: a diff without --diff`,
        );
    }
    assert.equal(existsSync(join(dir, 'PWNED')), false, `${kind}: the team value ran as a command`);
  }
});

test('the property is not vacuous: the same runs without check mode change the fresh host', async () => {
  const before = hashTree(hosts.fresh);
  const report = await run(hosts.fresh, { demo_port: '9090' }, false, true);
  assert.equal(report.status, 'changed', JSON.stringify(report.steps));
  assert.notDeepEqual(hashTree(hosts.fresh), before);
  assert.equal(readFileSync(join(hosts.fresh, 'etc', 'demo.conf'), 'utf8'), 'port = 9090\n');
});

test('yamlEdit keeps the spelling of an untouched flow sequence when it edits another key', async () => {
  const dir = makeHost('flow', { 'app.yaml': 'list: [a, b]\nname: x\n' }, 'inactive');
  const edit = playbook({
    name: 'flow',
    tasks: [yamlEdit({ path: '/etc/sophos/app.yaml', edit: (doc) => void doc.set('name', 'y'), backup: false })],
  });
  const report = await runHost(
    { name: 'flow', vars: {} },
    edit,
    async () => connection(dir),
    { check: false, diff: false, become: false, redactor: new Redactor() },
    () => undefined,
    () => false,
  );
  assert.equal(report.status, 'changed', JSON.stringify(report.steps));
  assert.equal(readFileSync(join(dir, 'etc', 'app.yaml'), 'utf8'), 'list: [a, b]\nname: y\n');
});
