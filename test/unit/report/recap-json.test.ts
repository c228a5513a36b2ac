import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonDocument } from '../../../src/report/json.ts';
import { recapText } from '../../../src/report/recap.ts';
import { redact, registerSecret, registerSecretVars } from '../../../src/report/secrets.ts';
import { exitCodeFor, hostStatus, summarise } from '../../../src/runner/status.ts';
import type { RunReport } from '../../../src/runner/types.ts';

const report: RunReport = {
  hosts: {
    'web-01': {
      status: 'changed',
      steps: [{ name: 'config', status: 'changed', message: 'mcs output added', diff: '+ api_key: tenant-key-123456' }],
    },
    'web-02': {
      status: 'unreachable',
      steps: [{ name: 'connect', status: 'unreachable', message: 'connection refused' }],
    },
    'web-03': { status: 'skipped', steps: [], reason: 'not started: interrupted' },
  },
  summary: { ok: 0, changed: 1, failed: 0, unreachable: 1, skipped: 1 },
};

test('a host is as bad as its worst step', () => {
  assert.equal(
    hostStatus([
      { name: 'a', status: 'ok', message: '' },
      { name: 'b', status: 'changed', message: '' },
    ]),
    'changed',
  );
  assert.equal(
    hostStatus([
      { name: 'a', status: 'changed', message: '' },
      { name: 'b', status: 'failed', message: '' },
    ]),
    'failed',
  );
  assert.equal(hostStatus([]), 'skipped');
});

test('exit codes as ansible-playbook', () => {
  assert.equal(exitCodeFor(summarise(report.hosts)), 3);
  assert.equal(exitCodeFor({ ok: 1, changed: 0, failed: 1, unreachable: 1, skipped: 0 }), 2);
  assert.equal(exitCodeFor({ ok: 1, changed: 1, failed: 0, unreachable: 0, skipped: 0 }), 0);
  assert.equal(exitCodeFor({ ok: 1, changed: 0, failed: 0, unreachable: 0, skipped: 0 }, true), 99);
});

test('the recap has one line per host with counts and the skip reason', () => {
  const text = recapText(report);
  assert.match(text, /web-01\s+: changed\s+ok=0 {2}changed=1 {2}unreachable=0 {2}failed=0 {2}skipped=0/);
  assert.match(text, /web-03 .*not started: interrupted/);
  assert.match(text, /3 hosts: 0 ok, 1 changed, 0 failed, 1 unreachable, 1 skipped/);
});

test('registered secrets never leave in JSON', () => {
  registerSecret('tenant-key-123456');
  const doc = jsonDocument(report);
  assert.ok(!doc.includes('tenant-key-123456'));
  assert.equal(JSON.parse(doc).hosts['web-01'].steps[0].diff, '+ api_key: ********');
});

test('secret-named variables are registered wherever they nest', () => {
  registerSecretVars({
    ansible_become_password: 'hunter2-long',
    nested: { sls_api_key: 'k-987654321' },
    sls_region: 'Ireland',
  });
  assert.equal(redact('hunter2-long k-987654321 Ireland'), '******** ******** Ireland');
});
