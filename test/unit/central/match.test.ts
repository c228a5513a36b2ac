import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertField, entityIsHost, matchAlerts, namesHost, type WatchedHost } from '../../../src/central/match.ts';
import type { Detection } from '../../../src/central/types.ts';

const T0 = Date.parse('2026-12-02T06:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const host = (name: string, addresses: string[] = []): WatchedHost => ({ name, addresses, since: T0 });
const alert = (entity: string | undefined, time: string, where: Partial<Detection> = {}): Detection => ({
  id: `d-${entity}-${time}`,
  time,
  detectionRule: 'SLS runtime detection',
  ...(entity === undefined ? {} : { device: { entity } }),
  rawData: { strategy_name: 'Alert Tester' },
  ...where,
});

test('"Alert Tester" anywhere in the record, case-insensitively, with the field that held it', () => {
  assert.equal(alertField(alert('a', at(1))), 'rawData.strategy_name');
  assert.equal(alertField({ detectionRule: 'ALERT TESTER' }), 'detectionRule');
  assert.equal(alertField({ mitreAttacks: [{ x: 'alert tester run' }] }), 'mitreAttacks[0].x');
  assert.equal(alertField({ detectionRule: 'Suspicious Process' }), undefined);
});

test('device.entity names the host: same name, FQDN or short name, or its address', () => {
  assert.ok(entityIsHost('web-01', ['web-01']));
  assert.ok(entityIsHost('WEB-01.prod.example.com', ['web-01']));
  assert.ok(entityIsHost('web-01', ['web-01.prod.example.com']));
  assert.ok(entityIsHost('10.0.0.7', ['web-01', '10.0.0.7']));
  assert.ok(!entityIsHost('web-010', ['web-01']));
  assert.ok(!entityIsHost('10.0.0.70', ['10.0.0.7']));
});

test('a name inside other text only as a whole word', () => {
  assert.ok(namesHost('host web-01 raised', 'web-01'));
  assert.ok(namesHost('web-01.example.com', 'web-01'));
  assert.ok(!namesHost('web-010', 'web-01'));
  assert.ok(!namesHost('10.0.0.12', '10.0.0.1'));
  assert.ok(namesHost('from 10.0.0.1, port 22', '10.0.0.1'));
});

test('each host gets its newest test alert after its trigger; others, earlier ones and other rules are not its', () => {
  const records: Detection[] = [
    alert('web-01', at(30)),
    alert('web-01', at(90)),
    alert('web-02', at(-600)), // an earlier run's
    alert('web-03', at(10), { rawData: { strategy_name: 'Suspicious Process' } }),
    alert('db-01.internal', at(40)),
  ];
  const m = matchAlerts(records, [host('web-01'), host('web-02'), host('web-03'), host('db-01')]);
  assert.equal(m.get('web-01')?.time, at(90));
  assert.equal(m.get('web-01')?.hostField, 'device.entity');
  assert.equal(m.get('web-01')?.alertField, 'rawData.strategy_name');
  assert.equal(m.get('web-01')?.rule, 'SLS runtime detection');
  assert.equal(m.has('web-02'), false);
  assert.equal(m.has('web-03'), false);
  assert.equal(m.get('db-01')?.hostField, 'device.entity');
});

test("no slack by default: a detection a second before the trigger is an earlier run's", () => {
  assert.ok(matchAlerts([alert('web-01', at(0))], [host('web-01')]).has('web-01'));
  assert.ok(!matchAlerts([alert('web-01', at(-1))], [host('web-01')]).has('web-01'));
  assert.ok(matchAlerts([alert('web-01', at(-1))], [host('web-01')], 5000).has('web-01'));
});

test('failing device.entity, any field naming the host or its address', () => {
  const noEntity = alert(undefined, at(5), { rawData: { strategy_name: 'Alert Tester', hostname: 'edge-7' } });
  const byAddress = alert('3f2a-device-uuid', at(6), {
    rawData: { strategy_name: 'Alert Tester', source_ip: '10.1.2.3' },
  });
  const unrelated = alert('web-09', at(7), { rawData: { strategy_name: 'Alert Tester', note: 'edge-70' } });
  const m = matchAlerts([noEntity, byAddress, unrelated], [host('edge-7'), host('web-05', ['10.1.2.3'])]);
  assert.equal(m.get('edge-7')?.hostField, 'rawData.hostname');
  assert.equal(m.get('edge-7')?.time, at(5));
  assert.equal(m.get('web-05')?.hostField, 'rawData.source_ip');
});

test('records without a readable time are ignored; sensorGeneratedAt stands in for time', () => {
  const m = matchAlerts(
    [alert('a', 'garbage'), { ...alert('b', at(1)), time: undefined, sensorGeneratedAt: at(2) }],
    [host('a'), host('b')],
  );
  assert.equal(m.has('a'), false);
  assert.equal(m.get('b')?.time, at(2));
});
