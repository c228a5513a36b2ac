import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDocument } from '../../../src/report/json.ts';
import { redact, redactValue, registerApiKeysIn, registerSecret, REDACTED } from '../../../src/report/secrets.ts';
import type { RunReport } from '../../../src/runner/types.ts';
import { secret } from '../../../src/secrets/secret.ts';

/** No piece of the key (each word of 4 or more characters) is left in `text`. */
function assertMasked(text: string, key: string): void {
  for (const piece of key.split(/[\s"'\\]+/).filter((p) => p.length >= 4)) {
    assert.ok(!text.includes(piece), `"${piece}" of the key is shown:\n${text}`);
  }
}

const config = (apiKeyLine: string) =>
  `customer_id: abc\nanchors:\n  k: &k "alias-target-k1x9q"\nalert_output:\n  outputs:\n    - type: mcs\n      url: "https://a.example.com"\n      ${apiKeyLine}\n    - type: stdout\n`;

test('an api_key read from a host is masked in output whatever its YAML style', () => {
  const cases: Array<[string, string]> = [
    ['api_key: has spaces-k9 plain7q', 'has spaces-k9 plain7q'],
    ['api_key: !!str tagged-key-3f9a', 'tagged-key-3f9a'],
    ['api_key: &a anchored-key-77c1', 'anchored-key-77c1'],
    ['api_key: !!str &b both-props-4d2e   # note', 'both-props-4d2e'],
    ['api_key:\n        next-line-key-5b6c', 'next-line-key-5b6c'],
    ['api_key: |\n        block-literal-9e8d\n', 'block-literal-9e8d'],
    ['api_key: >-\n        folded-part-one\n        folded-part-two', 'folded-part-one folded-part-two'],
    ['api_key: "esc\\"aped\\\\key-2a1b"', 'esc"aped\\key-2a1b'],
    ["api_key: 'single''quoted-6c5d'", "single'quoted-6c5d"],
    ['api_key: "hash #inside-8f7e"', 'hash #inside-8f7e'],
    ['api_key: *k', 'alias-target-k1x9q'],
  ];
  for (const [line, key] of cases) {
    const text = config(line);
    registerApiKeysIn(text);
    const shown = redact(text);
    assertMasked(shown, key);
    assert.match(shown, /customer_id: abc\n/);
    assert.match(shown, /type: stdout/);
  }
});

test('an api_key inside command output mixed with other lines (facts markers, a file mode) is found', () => {
  const out = `__sls_play_fact__ begin config\n600\n${config('api_key: !!str &x mixed output-key-1q2w')}\n__sls_play_fact__ end config 0\n`;
  registerApiKeysIn(out);
  assertMasked(redact(out), 'mixed output-key-1q2w');
});

test('a file that does not parse falls back to patterns that still mask the whole value', () => {
  const cases: Array<[string, string]> = [
    ['api_key: "unterminated-key-3e4r', 'unterminated-key-3e4r'],
    ['api_key: broken spaces-key-5t6y', 'broken spaces-key-5t6y'],
    ['api_key: !!str broken-tagged-7u8i', 'broken-tagged-7u8i'],
    ['api_key: |\n        broken-block-9o0p', 'broken-block-9o0p'],
  ];
  for (const [line, key] of cases) {
    const text = `${config(line)}  bad: [unclosed\n`;
    registerApiKeysIn(text);
    assertMasked(redact(text), key);
  }
});

test('YAML booleans, null and block indicators are never registered as keys', () => {
  registerApiKeysIn('api_key: true\nx:\n  api_key: ~\ny:\n  api_key: null\n');
  assert.equal(redact('mcs output enabled: true, null, ~'), 'mcs output enabled: true, null, ~');
});

const report = (message: string, extra: Record<string, unknown> = {}): RunReport =>
  ({
    hosts: { h1: { status: 'ok', steps: [{ name: 'exec', status: 'ok', message, ...extra }] } },
    summary: { ok: 1, changed: 0, failed: 0, unreachable: 0, skipped: 0 },
  }) as unknown as RunReport;

test('--json masks a key holding quotes, backslashes or control characters (redacted before serialising)', () => {
  const key = 'json"quote\\back-4k5l';
  registerSecret(key);
  const doc = jsonDocument(report(`api_key: ${key}\n`, { stdout: `{"api_key": ${JSON.stringify(key)}}` }));
  assert.ok(!doc.includes('json'), doc);
  assert.ok(!doc.includes('back-4k5l'), doc);
  assert.equal(JSON.parse(doc).hosts.h1.steps[0].message, `api_key: ${REDACTED}\n`);
});

test('Secret values are masked when objects are serialised', () => {
  const doc = jsonDocument(report('ok', { facts: { key: secret('secret-object-6z7x') } }));
  assert.ok(!doc.includes('secret-object-6z7x'));
  assert.equal(JSON.parse(doc).hosts.h1.steps[0].facts.key, REDACTED);
  assert.deepEqual(redactValue({ a: [secret('another-secret-8c9v')], b: 1 }), { a: [REDACTED], b: 1 });
});
