import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CliError } from '../../../src/cli/errors.ts';
import { parseExtraVars } from '../../../src/cli/extra-vars.ts';

test('key=value pairs, quoted values, later wins', () => {
  assert.deepEqual(parseExtraVars(['sls_region=eu-west-1 a="b c"', 'a=d']), { sls_region: 'eu-west-1', a: 'd' });
});

test('@file.yml and inline YAML mappings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ev-'));
  writeFileSync(join(dir, 'v.yml'), 'sls_region: Ireland\nsls_test_timeout: 5\n');
  assert.deepEqual(parseExtraVars([`@${join(dir, 'v.yml')}`, '{"x": [1]}']), {
    sls_region: 'Ireland',
    sls_test_timeout: 5,
    x: [1],
  });
});

test('mistakes are option errors (exit 5) that say what to do', () => {
  assert.throws(
    () => parseExtraVars(['novalue']),
    (e: unknown) => e instanceof CliError && e.exitCode === 5 && /key=value/.test(e.message),
  );
  assert.throws(
    () => parseExtraVars(['@/nonexistent.yml']),
    (e: unknown) => e instanceof CliError && /cannot read/.test(e.message),
  );
});

test('an -e argument cut at a space (a $(…) value) is named whole, with the variable whose value was cut', () => {
  assert.throws(
    () => parseExtraVars(['sls_region=eu west 1']),
    (e: unknown) =>
      e instanceof CliError &&
      e.exitCode === 5 &&
      e.message ===
        `-e "sls_region=eu west 1": cannot parse "west", expected key=value, @file.yml or a YAML mapping (the value of sls_region was cut at a space: quote it, e.g. -e 'sls_region="a b"', or use -e @vars.yml)`,
  );
  assert.throws(
    () => parseExtraVars(['a="b c']),
    (e: unknown) => e instanceof CliError && e.exitCode === 5 && /^-e "a="b c": a quote is not closed/.test(e.message),
  );
});
