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
  assert.equal(edit('[s]\nk=1\n[t]\n', { state: 'present', line: 'n=2', insertAfter: '^\\[s\\]' }), '[s]\nn=2\nk=1\n[t]\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertAfter: 'EOF' }), 'a\nb\nz\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertAfter: '^nomatch' }), 'a\nb\nz\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertBefore: 'BOF' }), 'z\na\nb\n');
  assert.equal(edit('a\nb\n', { state: 'present', line: 'z', insertBefore: '^b' }), 'a\nz\nb\n');
  assert.equal(edit('a\nb', { state: 'present', line: 'z' }), 'a\nb\nz\n');
  assert.equal(edit(null, { state: 'present', line: 'z' }), 'z\n');
  assert.equal(edit('', { state: 'present', line: 'z' }), 'z\n');
});

test('lineEdit: absent removes every line matching regexp or equal to line', () => {
  assert.equal(edit('a=1\nb\na=2\nc\n', { state: 'absent', regexp: '^a=' }), 'b\nc\n');
  assert.equal(edit('a\nb\na\n', { state: 'absent', line: 'a' }), 'b\n');
  assert.equal(edit('b\n', { state: 'absent', line: 'a' }), 'b\n');
  assert.equal(lineEdit('a\n', { state: 'absent' }, '/etc/x').ok, false);
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
});

test('packageFact parses what the package manager said', () => {
  const fact = packageFact('nginx');
  assert.deepEqual(fact.parse('manager:apt\ninstalled:1.24.0-2\ncandidate:1.24.0-3\n', 0, ''), { manager: 'apt', installed: '1.24.0-2', candidate: '1.24.0-3' });
  assert.deepEqual(fact.parse('manager:none\n', 0, ''), { manager: 'none', installed: null, candidate: null });
  assert.throws(() => fact.parse('', 2, 'sh: syntax error'), /cannot ask the package manager about nginx: sh: syntax error/);
  // the script is valid sh (parsed, not run: it would ask this machine's package manager)
  execFileSync('sh', ['-n', '-c', fact.command]);
});
