// What a host's run decides without touching the host: which handlers a change reaches, `when`,
// whether the host goes on after a step, which handlers may ride in one command with a change,
// and what the owed record says after each part of that command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  afterTaskStep,
  handlersNotifiedBy,
  mayJoinBatch,
  owedAtStartStep,
  recordAfterEach,
  whenSkips,
  withWhy,
} from '../../../src/runner/decisions.ts';
import type { BatchPart, StepReport } from '../../../src/runner/types.ts';
import { OwedLedger } from '../../../src/tasks/owed/ledger.ts';
import { serialiseRecord } from '../../../src/tasks/owed/record.ts';
import type { Host, Task } from '../../../src/tasks/types.ts';

const task = (name: string, extra: Partial<Task> = {}): Task =>
  ({
    name,
    module: 'command',
    notify: [],
    listen: [],
    tags: [],
    plan: async () => ({ status: 'ok' }),
    ...extra,
  }) as Task;
const host = { name: 'web1', vars: { role: 'web' }, facts: {}, check: false } as Host;
const part = (t: Task, changes: boolean | undefined): BatchPart => ({
  task: t,
  change: {
    status: 'change',
    message: t.name,
    apply: async () => ({}),
    remote: { command: 'true', interpret: () => ({}), ...(changes === undefined ? {} : { changes }) },
  },
});
const run = { id: 'r1', startedAt: '2026-01-01T00:00:00Z' };

test('a change reaches handlers by name and by listen topic, in declaration order', () => {
  const handlers = [task('restart sensor', { listen: ['sensor config changed'] }), task('test alert'), task('reload')];
  const changed = task('write config', { notify: ['test alert', 'sensor config changed'] });
  assert.deepEqual(handlersNotifiedBy(changed, handlers), ['restart sensor', 'test alert']);
  assert.deepEqual(handlersNotifiedBy(task('quiet'), handlers), []);
});

test('when: true runs, false skips with a reason, a throwing condition fails the host with its words', () => {
  assert.equal(whenSkips(task('always'), host), undefined);
  assert.equal(whenSkips(task('web only', { when: (h) => h.vars.role === 'web' }), host), undefined);
  assert.deepEqual(whenSkips(task('db only', { when: (h) => h.vars.role === 'db' }), host), {
    name: 'db only',
    status: 'skipped',
    message: 'condition (when) not met on this host',
  });
  const broken = whenSkips(
    task('broken', {
      when: () => {
        throw new TypeError('role.startsWith is not a function');
      },
    }),
    host,
  );
  assert.equal(broken?.status, 'failed');
  assert.match(broken!.message, /role\.startsWith is not a function/);
});

test('after a step: go on; a failure stops the host unless --force-handlers; a lost host always stops', () => {
  const step = (status: StepReport['status']): StepReport => ({ name: 't', status, message: '' });
  assert.equal(afterTaskStep(step('changed'), false), 'next');
  assert.equal(afterTaskStep(step('skipped'), true), 'next');
  assert.equal(afterTaskStep(step('failed'), false), 'stop');
  assert.equal(afterTaskStep(step('failed'), true), 'handlers');
  assert.equal(afterTaskStep(step('unreachable'), true), 'stop');
});

test('why an owed handler runs is added to its message, but never to a failure', () => {
  const ok: StepReport = { name: 'h', status: 'changed', message: 'restarted' };
  assert.equal(withWhy(ok, 'owed by run r0').message, 'restarted (owed by run r0)');
  assert.equal(withWhy(ok, undefined), ok);
  const failed: StepReport = { name: 'h', status: 'failed', message: 'exit 1' };
  assert.equal(withWhy(failed, 'owed by run r0').message, 'exit 1');
});

test('a handler joins the batch only where it can plan ahead, as the same user, after a change that surely changed', () => {
  const first = part(task('write config', { become: true }), true);
  const ahead = task('restart', { become: true, plansAhead: () => true });
  assert.equal(mayJoinBatch(ahead, [first], host), true);
  assert.equal(mayJoinBatch(task('restart', { become: true }), [first], host), false, 'cannot plan ahead');
  assert.equal(mayJoinBatch(task('restart', { plansAhead: () => true }), [first], host), false, 'another user');
  assert.equal(mayJoinBatch(ahead, [part(first.task, undefined)], host), false, 'exit 0 may mean no change');
  const skipped = task('restart', { become: true, plansAhead: () => true, when: () => false });
  assert.equal(mayJoinBatch(skipped, [first], host), false, 'its condition is false here');
  assert.equal(mayJoinBatch(task('first handler'), [], host), true, 'the first part needs no plansAhead');
});

test('the record after each part: a task leaves it, each handler clears itself and those before it', () => {
  const [restart, alert] = [task('restart'), task('test alert')];
  const ledger = new OwedLedger('sls', ['restart', 'test alert'], run, '/var/lib/x');
  ledger.owe(['restart', 'test alert'], 'write config');
  const after = recordAfterEach([task('write config'), restart, alert], [restart, alert], ledger);
  const onlyAlert = serialiseRecord('sls', [
    { handler: 'test alert', notifiedBy: 'write config', run: 'r1', at: run.startedAt },
  ]);
  assert.deepEqual(after, [undefined, onlyAlert, null]);
});

test('the owed-handlers step names each inherited handler with why; a damaged record only warns', () => {
  const ledger = new OwedLedger('sls', ['restart'], run, '/var/lib/x');
  const earlier = { handler: 'restart', notifiedBy: 'write config', run: 'r0', at: '2025-12-31T00:00:00Z' };
  const inherited = ledger.load(serialiseRecord('sls', [earlier]));
  const step = owedAtStartStep(ledger, inherited);
  assert.equal(step.status, 'ok');
  assert.match(step.message, /^restart: .*write config/);
  const damaged = new OwedLedger('sls', ['restart'], run, '/var/lib/x');
  const none = owedAtStartStep(damaged, damaged.load('{not json'));
  assert.equal(none.message, 'none owed');
  assert.match(none.warnings?.[0] ?? '', /damaged/);
});
