import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tmpdir } from 'node:os';
import { CliError } from '../../../src/cli/errors.ts';
import { readRunOutputs, sliceTargets } from '../../../src/cli/run-outputs.ts';

const targets = Array.from({ length: 30 }, (_, i) => ({ name: `h${i}`, vars: {} }));

test('--slice k/n keeps one share and records every selected host for report merge', () => {
  const shares = [1, 2, 3].map((index) => sliceTargets(targets, { index, count: 3 }));
  assert.deepEqual(shares.flatMap((s) => s.targets.map((t) => t.name)).sort(), targets.map((t) => t.name).sort());
  assert.deepEqual(
    shares[0]!.info?.selected,
    targets.map((t) => t.name),
  );
  assert.equal(sliceTargets(targets, undefined).targets, targets);
});

test('bad --slice, --json-out, --junit or --html-out is a one-line error with exit 5', () => {
  const expectBad = (options: object, pattern: RegExp) =>
    assert.throws(
      () => readRunOutputs(options),
      (e: unknown) => e instanceof CliError && e.exitCode === 5 && pattern.test(e.message),
    );
  expectBad({ slice: '0/2' }, /--slice "0\/2"/);
  expectBad(
    { jsonOut: '/nonexistent-dir/x.json' },
    /--json-out \/nonexistent-dir\/x.json: the directory \/nonexistent-dir does not exist/,
  );
  expectBad({ junit: tmpdir() }, /is a directory/);
  expectBad({ jsonOut: 'r.json', junit: 'r.json' }, /both name r.json/);
  expectBad({ junit: 'r.xml', htmlOut: 'r.xml' }, /^--junit and --html-out both name r.xml; give two files$/);
  expectBad(
    { htmlOut: '/nonexistent-dir/r.html' },
    /^--html-out \/nonexistent-dir\/r.html: the directory \/nonexistent-dir does not exist$/,
  );
  assert.deepEqual(readRunOutputs({ slice: '2/4' }).slice, { index: 2, count: 4 });
});
