import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostWait } from '../../../src/central/poller.ts';
import { centralView, hostLine } from '../../../src/central/view.ts';

const match = {
  id: 'd-1',
  time: '2026-12-02T06:01:30.000Z',
  rule: 'SLS runtime detection',
  hostField: 'device.entity',
  alertField: 'rawData.strategy_name',
};
const seen: HostWait = { state: 'seen', match, seenAt: 0 };

function sink() {
  let text = '';
  const write = (s: string): boolean => {
    text += s;
    return true;
  };
  return { out: { write } as unknown as NodeJS.WritableStream, text: () => text };
}

test('host lines: waiting, seen at HH:MM:SS with the rule (and the record with -v), not seen', () => {
  assert.equal(hostLine('web-01', { state: 'waiting' }, 8, false), '  web-01    waiting');
  assert.match(
    hostLine('web-01', seen, 8, false),
    /^ {2}web-01 {4}seen at \d\d:\d\d:\d\d \(rule: SLS runtime detection\)$/,
  );
  assert.match(
    hostLine('web-01', seen, 8, true),
    /\[detection d-1 at 2026-12-02T06:01:30\.000Z; host from device\.entity, "Alert Tester" from rawData\.strategy_name\]$/,
  );
  assert.equal(hostLine('web-01', { state: 'waiting' }, 8, false, true), '  web-01    not seen');
});

test('plain: a line per poll and one per host as it is seen, then the final block', () => {
  const s = sink();
  const view = centralView(['a', 'b'], { out: s.out, live: false, verbose: false, write: (o, t) => o.write(t) });
  view.start(Date.parse('2026-12-02T06:25:00Z'), 60);
  view.poll(
    1,
    new Map<string, HostWait>([
      ['a', seen],
      ['b', { state: 'waiting' }],
    ]),
  );
  view.poll(
    2,
    new Map<string, HostWait>([
      ['a', seen],
      ['b', { state: 'waiting' }],
    ]),
    'the detections query run r ended "failed"',
  );
  view.finish({
    states: new Map<string, HostWait>([
      ['a', seen],
      ['b', { state: 'waiting' }],
    ]),
    polls: 2,
    interrupted: false,
  });
  const lines = s.text().split('\n');
  assert.match(
    lines[0]!,
    /^Sophos Central: looking for "Alert Tester" from 2 host\(s\) until \d\d:\d\d:\d\d \(one query every 60 s\)$/,
  );
  assert.equal(lines[1], 'Sophos Central: poll 1: 1 of 2 seen');
  assert.match(lines[2]!, /^ {2}a {9}seen at/);
  assert.equal(
    lines[3],
    'Sophos Central: poll 2: 1 of 2 seen (this poll failed: the detections query run r ended "failed")',
  );
  assert.equal(lines[4], 'Sophos Central: 1 of 2 test alert(s) seen after 2 poll(s)');
  assert.equal(lines[6], '  b         not seen');
});

test('live: one block redrawn in place', () => {
  const s = sink();
  const view = centralView(['a', 'b'], { out: s.out, live: true, verbose: false, write: (o, t) => o.write(t) });
  view.start(Date.now(), 60);
  view.poll(
    1,
    new Map<string, HostWait>([
      ['a', seen],
      ['b', { state: 'waiting' }],
    ]),
  );
  assert.equal(s.text().split('\x1b[3A').length, 2, 'the second drawing moves up over the three lines of the first');
  assert.ok(s.text().endsWith('\x1b[2K  b         waiting\n'));
});
