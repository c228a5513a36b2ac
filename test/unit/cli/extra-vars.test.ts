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
  assert.deepEqual(parseExtraVars([`@${join(dir, 'v.yml')}`, '{"x": [1]}']), { sls_region: 'Ireland', sls_test_timeout: 5, x: [1] });
});

test('mistakes are option errors (exit 5) that say what to do', () => {
  assert.throws(() => parseExtraVars(['novalue']), (e: unknown) => e instanceof CliError && e.exitCode === 5 && /key=value/.test(e.message));
  assert.throws(() => parseExtraVars(['@/nonexistent.yml']), (e: unknown) => e instanceof CliError && /cannot read/.test(e.message));
});
