// The --json / --json-out document and the JUnit report say which sls-play wrote them and the
// document format, for CI parsers; the run's own fields are as they were.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { jsonDocument } from '../../../src/report/json.ts';
import { junitXml } from '../../../src/report/junit.ts';
import type { RunDocument } from '../../../src/report/run-document.ts';
import { REPORT_FORMAT } from '../../../src/version.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
const doc: RunDocument = {
  hosts: { 'web-01': { status: 'ok', steps: [{ name: 'config', status: 'ok', message: 'mcs output present' }] } },
  summary: { ok: 1, changed: 0, failed: 0, unreachable: 0, skipped: 0 },
};

test('the JSON document opens with the tool, its version and the format number, then the run as before', () => {
  const parsed = JSON.parse(jsonDocument(doc)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(parsed), ['tool', 'format', 'hosts', 'summary']);
  assert.deepEqual(parsed.tool, { name: 'sls-play', version: VERSION });
  assert.equal(parsed.format, 1);
  assert.equal(REPORT_FORMAT, 1);
  assert.deepEqual(parsed.hosts, doc.hosts);
  assert.deepEqual(parsed.summary, doc.summary);
});

test('a document read back (report merge) is written with this sls-play, not the one it was read with', () => {
  const old = { ...doc, tool: { name: 'sls-play' as const, version: '0.0.1' }, format: 1 };
  const parsed = JSON.parse(jsonDocument(old)) as Record<string, unknown>;
  assert.deepEqual(parsed.tool, { name: 'sls-play', version: VERSION });
  assert.deepEqual(Object.keys(parsed), ['tool', 'format', 'hosts', 'summary']);
});

test('the JUnit report carries them as properties', () => {
  const xml = junitXml(doc, { name: 'sls-play deploy' });
  assert.match(xml, /<property name="tool\.name" value="sls-play"\/>/);
  assert.match(xml, new RegExp(`<property name="tool\\.version" value="${VERSION.replace(/\./g, '\\.')}"/>`));
  assert.match(xml, /<property name="format" value="1"\/>/);
  assert.match(xml, /<property name="hosts\.ok" value="1"\/>/);
});
