// lineInFile's edit, waitFor's script and package's version order, without a host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lineEdit } from '../../../src/modules/line-in-file.ts';
import { comparePackageVersions, packageFact } from '../../../src/modules/package.ts';
import { procNetAddress, waitOutcome, waitScript } from '../../../src/modules/wait-for.ts';

const edit = (text: string | null, spec: Parameters<typeof lineEdit>[1]) => {
  const out = lineEdit(text, spec, '/etc/x');
  assert.ok(out.ok, JSON.stringify(out));
  return out.text;
};

test('lineEdit: regexp replaces the last matching line; an equal line is left alone', () => {
  assert.equal(edit('a=1\nb=2\na=3\n', { state: 'present', regexp: '^a=', line: 'a=9' }), 'a=1\nb=2\na=9\n');
  assert.equal(edit('a=1\nb=2\n', { state: 'present', regexp: '^a=', line: 'a=1' }), 'a=1\nb=2\n');
  // no match of the regexp, but the line is there: nothing to do (Ansible)
  assert.equal(edit('x\na=9\n', { state: 'present', regexp: '^zzz', line: 'a=9' }), 'x\na=9\n');
});

test('lineEdit: insertAfter / insertBefore / EOF / BOF, and a file without a final newline', () => {
  assert.equal(
    edit('[s]\nk=1\n[t]\n', { state: 'present', line: 'n=2', insertAfter: '^\\[s\\]' }),
    '[s]\nn=2\nk=1\n[t]\n',
  );
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertAfter: 'EOF' }), 'a\nb\nz\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertAfter: '^nomatch' }), 'a\nb\nz\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertBefore: 'BOF' }), 'z\na\nb\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertBefore: '^b' }), 'a\nz\nb\n');
  assert.equal(edit('a\nb', { state: 'present', line: 'z' }), 'a\nb\nz\n');
  assert.equal(edit(null, { state: 'present', line: 'z' }), 'z\n');
  assert.equal(edit('', { state: 'present', line: 'z' }), 'z\n');
});

test('lineEdit: backrefs put the match groups into the line, and add nothing without a match', () => {
  assert.equal(
    edit('ListenPort 22\nx\n', {
      state: 'present',
      regexp: '^ListenPort (\\d+)$',
      line: 'ListenPort $1 # kept',
      backrefs: true,
    }),
    'ListenPort 22 # kept\nx\n',
  );
  assert.equal(edit('a=1\n', { state: 'present', regexp: '^(?<k>a)=\\d+', line: '$<k>=2', backrefs: true }), 'a=2\n');
  assert.equal(edit('x\n', { state: 'present', regexp: '^nomatch(.*)', line: 'y$1', backrefs: true }), 'x\n');
});

test('lineEdit: absent removes every line matching regexp or equal to line', () => {
  assert.equal(edit('a=1\nb\na=2\nc\n', { state: 'absent', regexp: '^a=' }), 'b\nc\n');
  assert.equal(edit('a\nb\na\n', { state: 'absent', line: 'a' }), 'b\n');
  assert.equal(edit('b\n', { state: 'absent', line: 'a' }), 'b\n');
  assert.equal(lineEdit('a\n', { state: 'absent' }, '/etc/x').ok, false);
  const bad = lineEdit('a\n', { state: 'present', line: 'b', regexp: '^(a' }, '/etc/x');
  assert.ok(
    !bad.ok && /lineInFile \/etc\/x: Invalid regular expression: .*: fix regexp/.test(bad.message),
    JSON.stringify(bad),
  );
  assert.equal(lineEdit('a\n', { state: 'present', line: 'x\ny' }, '/etc/x').ok, false);
});

test('comparePackageVersions orders as dpkg does', () => {
  const lt = (a: string, b: string) => {
    assert.equal(comparePackageVersions(a, b), -1, `${a} < ${b}`);
    assert.equal(comparePackageVersions(b, a), 1, `${b} > ${a}`);
  };
  lt('1.9', '1.10');
  lt('1.0~rc1', '1.0');
  lt('1.0', '1.0-1');
  lt('2.9.9', '1:0.1');
  lt('1.2.3-1ubuntu1', '1.2.3-1ubuntu2');
  lt('1.0a', '1.0b');
  lt('5.5.2.9', '5.5.2.22');
  assert.equal(comparePackageVersions('0:1.2-3', '1.2-3'), 0);
});

test('procNetAddress writes IPv4 as /proc/net/tcp does', () => {
  assert.equal(procNetAddress('127.0.0.1'), '0100007F');
  assert.equal(procNetAddress('127.180.0.2'), '0200B47F');
  assert.equal(procNetAddress('localhost'), undefined);
});

test('waitScript: a path that appears is seen, a port nobody listens on is not (runs locally, read-only)', () => {
  const run = (spec: Parameters<typeof waitScript>[0]) => {
    try {
      return { stdout: execFileSync('sh', ['-c', waitScript(spec)], { encoding: 'utf8' }), code: 0 };
    } catch (error) {
      const e = error as { stdout: string; status: number };
      return { stdout: e.stdout, code: e.status };
    }
  };
  const seen = { path: '/', host: '127.0.0.1', state: 'present' as const, timeout: 1, age: 0 };
  const ok = run(seen);
  assert.deepEqual(waitOutcome(seen, ok.stdout, ok.code), { ok: true, seen: ['/ exists'], missing: [] });
  const closed = { port: 1, host: '127.0.0.1', state: 'present' as const, timeout: 0, age: 0 };
  const no = run(closed);
  assert.equal(no.code, 3);
  assert.deepEqual(waitOutcome(closed, no.stdout, no.code).missing, ['port 1 listening on 127.0.0.1']);
  const gone = { port: 1, path: '/no/such/path', host: '127.0.0.1', state: 'absent' as const, timeout: 0, age: 0 };
  const yes = run(gone);
  assert.deepEqual(waitOutcome(gone, yes.stdout, yes.code), {
    ok: true,
    seen: ['/no/such/path is gone', 'port 1 closed on 127.0.0.1'],
    missing: [],
  });
});

test('packageFact parses what the package manager said', () => {
  const fact = packageFact('nginx');
  assert.deepEqual(fact.parse('manager:apt\ninstalled:1.24.0-2\ncandidate:1.24.0-3\n', 0, ''), {
    manager: 'apt',
    installed: '1.24.0-2',
    candidate: '1.24.0-3',
  });
  assert.deepEqual(fact.parse('manager:none\n', 0, ''), { manager: 'none', installed: null, candidate: null });
  assert.throws(
    () => fact.parse('', 2, 'sh: syntax error'),
    /cannot ask the package manager about nginx: sh: syntax error/,
  );
  // the script is valid sh (parsed, not run: it would ask this machine's package manager)
  execFileSync('sh', ['-n', '-c', fact.command]);
});

// --- package's plan, on what the package manager would say ---
import { packageTask, type PackageState } from '../../../src/modules/package.ts';
import type { ApplyContext, PlanContext } from '../../../src/tasks/types.ts';

function planOn(state: PackageState | Record<string, PackageState>, params: Parameters<typeof packageTask>[0]) {
  const of = (name: string) =>
    'manager' in state ? (state as PackageState) : (state as Record<string, PackageState>)[name]!;
  const ctx = {
    name: 'h1',
    vars: {},
    facts: {},
    check: true,
    diff: false,
    read: async () => ({ code: 0, stdout: '', stderr: '' }),
    $: async () => ({ code: 0, stdout: '', stderr: '' }),
    gather: async (facts: Record<string, unknown>) => Object.fromEntries(Object.keys(facts).map((n) => [n, of(n)])),
    log: () => undefined,
  } as unknown as PlanContext;
  return packageTask(params).plan(ctx);
}

test('package plans: present, latest, absent, minVersion, and what is not possible', async () => {
  const apt = (installed: string | null, candidate: string | null): PackageState => ({
    manager: 'apt',
    installed,
    candidate,
  });
  const expect = async (
    state: PackageState,
    params: Parameters<typeof packageTask>[0],
    status: string,
    message: RegExp,
  ) => {
    const plan = await planOn(state, params);
    assert.equal(plan.status, status, plan.message);
    assert.match(plan.message, message);
  };
  await expect(apt('1.0', '1.1'), { name: 'nginx' }, 'ok', /^nginx 1\.0 is installed$/);
  await expect(apt('1.0', '1.1'), { name: 'nginx', state: 'latest' }, 'change', /^upgrade nginx 1\.0 → 1\.1$/);
  await expect(apt('1.1', '1.1'), { name: 'nginx', state: 'latest' }, 'ok', /the newest offered/);
  await expect(apt(null, '1.1'), { name: 'nginx' }, 'change', /^install nginx 1\.1$/);
  await expect(
    apt(null, null),
    { name: 'nginx' },
    'failed',
    /nginx is not installed and apt offers no version of it \(`apt-cache policy nginx`\)/,
  );
  await expect(apt('1.0', '1.1'), { name: 'nginx', state: 'absent' }, 'change', /^remove nginx 1\.0$/);
  await expect(apt(null, '1.1'), { name: 'nginx', state: 'absent' }, 'ok', /nginx is not installed/);
  await expect(apt('1.0', '2.0'), { name: 'nginx', minVersion: '1.5' }, 'change', /^upgrade nginx 1\.0 → 2\.0$/);
  await expect(
    apt('1.0', '1.2'),
    { name: 'nginx', minVersion: '1.5' },
    'failed',
    /nginx 1\.0 is older than minVersion 1\.5 and apt offers 1\.2 .*add a repository that has 1\.5 or later/,
  );
  await expect(
    apt(null, '1.2'),
    { name: 'nginx', minVersion: '1.5' },
    'failed',
    /apt offers 1\.2, older than minVersion 1\.5/,
  );
  await expect(
    apt('1.6', '1.6'),
    { name: 'nginx', minVersion: '1.5' },
    'ok',
    /nginx 1\.6 is installed \(minVersion 1\.5\)/,
  );
  await expect(
    { manager: 'none', installed: null, candidate: null },
    { name: 'nginx' },
    'failed',
    /no package manager on h1 \(looked for apt-get, dnf, yum, zypper\): install nginx another way/,
  );
  await expect(apt(null, null), { name: 'nginx; rm -rf /' }, 'failed', /is not a package name/);
  await expect(
    { manager: 'dnf', installed: '1.0-1.el9', candidate: '1.2-1.el9' },
    { name: 'nginx', state: 'latest' },
    'change',
    /upgrade nginx 1\.0-1\.el9 → 1\.2-1\.el9/,
  );
});

/** An apply context that records the commands it runs (all succeed) and answers reads with `read(command)`. */
function recordingContext(read: (command: string) => string): { sent: string[]; ctx: ApplyContext } {
  const sent: string[] = [];
  const ctx = {
    exec: async (command: string) => {
      sent.push(command);
      return { code: 0, stdout: '', stderr: '' };
    },
    read: async (command: string) => ({ code: 0, stdout: read(command), stderr: '' }),
  } as unknown as ApplyContext;
  return { sent, ctx };
}

test('package with a list of names: one plan, one command per action, every name checked', async () => {
  const states: Record<string, PackageState> = {
    a: { manager: 'apt', installed: null, candidate: '1.0' },
    b: { manager: 'apt', installed: '2.0', candidate: '2.0' },
    c: { manager: 'apt', installed: null, candidate: '3.1' },
  };
  const plan = await planOn(states, { name: ['a', 'b', 'c'] });
  assert.equal(plan.status, 'change');
  assert.equal(plan.message, 'install a 1.0, install c 3.1');
  if (plan.status !== 'change') return;
  const { sent, ctx } = recordingContext(
    (command) => `manager:apt\ninstalled:${/n='?a'?\n/.test(command) ? '1.0' : '3.1'}\n`,
  );
  const applied = await plan.apply(ctx);
  assert.equal(sent.length, 1);
  assert.match(sent[0]!, /install a c$/);
  assert.equal(applied.message, 'installed a 1.0, installed c 3.1');
  const none = await planOn(
    { ...states, c: { manager: 'apt', installed: null, candidate: null } },
    { name: ['a', 'c'] },
  );
  assert.equal(none.status, 'failed');
  assert.match(none.message, /package c is not installed and apt offers no version/);
  const ok = await planOn(states, { name: ['b'] });
  assert.equal(ok.status, 'ok');
});

test('package applies through the detected manager, non-interactively, and checks the result', async () => {
  const plan = await planOn({ manager: 'apt', installed: null, candidate: '1.1' }, { name: 'nginx' });
  assert.equal(plan.status, 'change');
  if (plan.status !== 'change') return;
  const { sent, ctx } = recordingContext(() => 'manager:apt\ninstalled:1.1\n');
  const applied = await plan.apply(ctx);
  assert.deepEqual(sent, [
    'DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install nginx',
  ]);
  assert.equal(applied.message, 'installed nginx 1.1');
  const failing = {
    ...ctx,
    exec: async () => ({ code: 100, stdout: '', stderr: 'E: Could not get lock /var/lib/dpkg/lock-frontend' }),
  } as unknown as ApplyContext;
  assert.match(
    (await plan.apply(failing)).failed ?? '',
    /`apt-get -y .* install nginx` failed \(exit 100: E: Could not get lock .*\): run it on the host to see why/,
  );
});

// --- packageFact's script against fake dnf / yum / zypper / rpm (no real package manager runs) ---
import {
  readFileSync,
  mkdtempSync,
  symlinkSync,
  writeFileSync as writeFile,
  chmodSync as chmod,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function fakeBin(managers: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sls-fake-pm-'));
  // only the tools the script needs, so this machine's own apt-get is not on PATH
  for (const tool of ['sed', 'awk', 'tail', 'head', 'cat', 'date', 'sleep'])
    symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(dir, tool));
  for (const [name, body] of Object.entries(managers)) {
    writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmod(join(dir, name), 0o755);
  }
  return dir;
}

const RPM = `for a; do n=$a; done; if [ "$n" = nginx ]; then echo '0:1.20-1.el9'; else echo "package $n is not installed"; exit 1; fi`;

function ask(dir: string, name: string) {
  const fact = packageFact(name);
  const out = execFileSync('/bin/sh', ['-c', fact.command], { encoding: 'utf8', env: { PATH: dir } });
  return fact.parse(out, 0, '');
}

test('packageFact with dnf, yum and zypper: installed from rpm -q, candidate from the manager', () => {
  const dirs: string[] = [];
  try {
    const dnf = fakeBin({ rpm: RPM, dnf: `echo '0:1.22-1.el9'` });
    dirs.push(dnf);
    assert.deepEqual(ask(dnf, 'nginx'), { manager: 'dnf', installed: '1.20-1.el9', candidate: '1.22-1.el9' });
    assert.deepEqual(ask(dnf, 'other'), { manager: 'dnf', installed: null, candidate: '1.22-1.el9' });
    const yum = fakeBin({ rpm: RPM, yum: `printf 'Available Packages\\nnginx.x86_64   1:1.22-1.el7   epel\\n'` });
    dirs.push(yum);
    assert.deepEqual(ask(yum, 'nginx'), { manager: 'yum', installed: '1.20-1.el9', candidate: '1:1.22-1.el7' });
    const yumNone = fakeBin({ rpm: RPM, yum: 'exit 1' });
    dirs.push(yumNone);
    assert.deepEqual(ask(yumNone, 'nginx'), { manager: 'yum', installed: '1.20-1.el9', candidate: '1.20-1.el9' });
    assert.deepEqual(ask(yumNone, 'other'), { manager: 'yum', installed: null, candidate: null });
    const zypper = fakeBin({
      rpm: RPM,
      zypper: `printf 'Information for package nginx:\\nRepository     : main\\nVersion        : 1.21-2.1\\nInstalled      : Yes\\n'`,
    });
    dirs.push(zypper);
    assert.deepEqual(ask(zypper, 'nginx'), { manager: 'zypper', installed: '1.20-1.el9', candidate: '1.21-2.1' });
    const none = fakeBin({});
    dirs.push(none);
    assert.deepEqual(ask(none, 'nginx'), { manager: 'none', installed: null, candidate: null });
    const apt = fakeBin({
      'apt-get': 'exit 0',
      'dpkg-query': `for a; do n=$a; done; if [ "$n" = nginx ]; then printf 'ii |1.24.0-2'; elif [ "$n" = old ]; then printf 'rc |1.0'; else exit 1; fi`,
      'apt-cache': `for a; do n=$a; done; printf '%s:\\n  Installed: x\\n  Candidate: 1.24.0-3\\n' "$n"`,
    });
    dirs.push(apt);
    assert.deepEqual(ask(apt, 'nginx'), { manager: 'apt', installed: '1.24.0-2', candidate: '1.24.0-3' });
    assert.deepEqual(
      ask(apt, 'old'),
      { manager: 'apt', installed: null, candidate: '1.24.0-3' },
      'config files left is not installed',
    );
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('waitScript asks nc -z when the host has it (for the address given), else reads /proc/net/tcp', () => {
  const dir = fakeBin({ nc: `echo "$@" >> "\${0%/nc}/nc.log"; [ "$5" = 4242 ]` });
  try {
    const spec = { port: 4242, host: '10.1.2.3', state: 'present' as const, timeout: 0, age: 0 };
    const out = execFileSync('/bin/sh', ['-c', waitScript(spec)], { encoding: 'utf8', env: { PATH: dir } });
    assert.deepEqual(waitOutcome(spec, out, 0), { ok: true, seen: ['port 4242 listening on 10.1.2.3'], missing: [] });
    assert.equal(readFileSync(join(dir, 'nc.log'), 'utf8'), '-z -w 1 10.1.2.3 4242\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
