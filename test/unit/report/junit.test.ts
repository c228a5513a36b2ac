import assert from 'node:assert/strict';
import { test } from 'node:test';
import { junitXml } from '../../../src/report/junit.ts';
import type { RunDocument } from '../../../src/report/run-document.ts';
import { registerSecret } from '../../../src/report/secrets.ts';
import { validateJunit } from '../../helpers/xmllint.ts';

const KEY = 'junit-test-api-key-7c1e';
registerSecret(KEY);

const doc: RunDocument = {
  hosts: {
    'web-01': {
      status: 'changed',
      steps: [
        { name: 'sensor version', status: 'ok', message: '5.10.0.3 >= 5.5.2.22' },
        { name: 'config', status: 'changed', message: `mcs output added (api_key ${KEY})`, diff: `+ api_key: ${KEY}` },
      ],
    },
    'db-01': {
      status: 'failed',
      steps: [
        {
          name: 'certificates',
          status: 'failed',
          message: 'no sophosca<N>.crt & .crl pair in /etc/sophos: "install" them',
        },
      ],
    },
    'off-01': {
      status: 'unreachable',
      steps: [{ name: 'connect', status: 'unreachable', message: 'connection refused (127.0.0.1:22)' }],
    },
    'late-01': { status: 'skipped', steps: [], reason: 'not started: interrupted' },
    'ctl-01': {
      status: 'changed',
      steps: [
        {
          name: 'command',
          status: 'changed',
          message: 'rc=0',
          rc: 0,
          stdout: 'bell\u0007 and NUL\u0000\n',
          stderr: '',
        },
      ],
    },
  },
  summary: { ok: 0, changed: 2, failed: 1, unreachable: 1, skipped: 1 },
  interrupted: true,
};
const xml = junitXml(doc, {
  name: 'sls-play deploy',
  timestamp: new Date('2026-01-02T03:04:05.678Z'),
  seconds: 12.3456,
  hostSeconds: { 'web-01': 1.5 },
});

test('the JUnit report validates against the schema CI tools read', () => {
  const result = validateJunit(xml);
  assert.ok(result.ok, `${result.output}\n${xml}`);
});

test('one testcase per host; failed is <failure>, unreachable <error>, skipped <skipped>', () => {
  assert.equal(xml.match(/<testcase /g)?.length, 5);
  assert.match(
    xml,
    /<testsuite name="sls-play deploy" tests="5" failures="1" errors="1" skipped="1" time="12.346" timestamp="2026-01-02T03:04:05">/,
  );
  assert.match(
    xml,
    /<testcase name="db-01"[^>]*>\s*<failure type="failed" message="certificates: no sophosca&lt;N&gt;.crt &amp; .crl pair in \/etc\/sophos: &quot;install&quot; them">/,
  );
  assert.match(xml, /<testcase name="off-01"[^>]*>\s*<error type="unreachable" message="connect: connection refused/);
  assert.match(xml, /<testcase name="late-01"[^>]*>\s*<skipped type="skipped" message="not started: interrupted"\/>/);
  assert.match(xml, /<testcase name="web-01" classname="sls-play.deploy" time="1.500">/);
  assert.match(xml, /<property name="interrupted" value="true"\/>/);
});

test("each step's status and message are in the testcase's system-out", () => {
  assert.match(xml, /<system-out>ok: sensor version: 5.10.0.3 &gt;= 5.5.2.22\nchanged: config: mcs output added/);
  assert.match(xml, /changed: command: rc=0 \(rc=0\)\n {4}bell\? and NUL\?/);
});

test('secrets are redacted', () => {
  assert.ok(!xml.includes(KEY));
  assert.match(xml, /api_key \*{8}/);
});

test('the schema check is real: a report without test counts is refused', () => {
  assert.equal(validateJunit(xml.replace(/ tests="5" failures="1" errors="1" skipped="1"/, '')).ok, false);
  assert.equal(
    validateJunit(xml.replace('<skipped type', '<ignored type').replace('"/>\n    </testcase>', '"/>\n    </testcase>'))
      .ok,
    false,
  );
});
