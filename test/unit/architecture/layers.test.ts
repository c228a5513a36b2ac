import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  type Arrow,
  arrowsNotDown,
  arrowsWithin,
  cycles,
  FLOORS,
  floorOf,
  readArrows,
  roomEdges,
  roomOf,
  specifiersOf,
} from './import-graph.ts';

const ROOT = join(import.meta.dirname, '../../..');
const arrows = readArrows(join(ROOT, 'src'));

const shown = ({ from, to }: Arrow): string => `src/${from} (${roomOf(from)}) → src/${to} (${roomOf(to)})`;

test('layers: every import between rooms goes down a floor (none back up, none sideways)', () => {
  const wrong = arrowsNotDown(arrows).map(
    (a) => `${shown(a)}: ${roomOf(a.to)} is not below ${roomOf(a.from)} (see docs/architecture.md)`,
  );
  assert.deepEqual(wrong, []);
});

test('layers: no cycle between rooms', () => {
  const edges = roomEdges(arrows);
  const found = cycles(edges).map((cycle) => arrowsWithin(cycle, edges).map((e) => `${e.from} → ${e.to}`));
  assert.deepEqual(found, []);
});

test('layers: no cycle between files', () => {
  const found = cycles(arrows).map((cycle) => arrowsWithin(cycle, arrows).map(shown));
  assert.deepEqual(found, []);
});

test('layers: docs/architecture.md names every room of every floor, in order', () => {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const at = FLOORS.flat().map((room) => ({ room, at: doc.indexOf(`\`${room}\``) }));
  assert.deepEqual(
    at.filter((r) => r.at < 0).map((r) => r.room),
    [],
    'rooms the page does not name',
  );
  const floorsInPageOrder = at.sort((a, b) => a.at - b.at).map((r) => floorOf(r.room));
  assert.deepEqual(
    floorsInPageOrder,
    [...floorsInPageOrder].sort((a, b) => a - b),
    'the page lists the floors top to bottom',
  );
});

test('layers: the check fails on a planted upward import, a sideways one and a cycle', () => {
  const planted: Arrow[] = [
    { from: 'cli/main.ts', to: 'runner/run.ts' },
    { from: 'tasks/owed/state-dir.ts', to: 'playbook/types.ts' },
    { from: 'inventory/sources.ts', to: 'secrets/redactor.ts' },
    { from: 'remote/quote.ts', to: 'base/input-error.ts' },
  ];
  assert.deepEqual(arrowsNotDown(planted), planted.slice(1, 3));
  const circle: Arrow[] = [
    { from: 'runner/a.ts', to: 'runner/b.ts' },
    { from: 'runner/b.ts', to: 'runner/c.ts' },
    { from: 'runner/c.ts', to: 'runner/a.ts' },
    { from: 'runner/c.ts', to: 'remote/quote.ts' },
  ];
  assert.deepEqual(cycles(circle), [['runner/a.ts', 'runner/b.ts', 'runner/c.ts']]);
  assert.deepEqual(cycles(roomEdges([...planted, { from: 'playbook/types.ts', to: 'tasks/x.ts' }])), [
    ['playbook', 'tasks'],
  ]);
  assert.throws(() => floorOf('newroom'), /src\/newroom is on no floor/);
});

test('layers: the reader sees every form of import and none in a comment', () => {
  const source = [
    "import { a } from './a.ts';",
    'import type {',
    '  B,',
    "} from '../b.ts';",
    "export { c } from './c.ts';",
    "export * from './d.ts';",
    "import './e.ts';",
    "const f = await import('./f.ts');",
    "import { readFileSync } from 'node:fs';",
    "import { parse } from 'yaml';",
    "// import { g } from './g.ts';",
    " * import { h } from './h.ts';",
  ].join('\n');
  assert.deepEqual(specifiersOf(source).sort(), ['../b.ts', './a.ts', './c.ts', './d.ts', './e.ts', './f.ts']);
});
