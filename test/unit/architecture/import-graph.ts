import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import between two files of src/, both as paths relative to src/ (`runner/run.ts`). */
export interface Arrow {
  from: string;
  to: string;
}

/**
 * The floors of src/, top to bottom. A room imports only rooms on floors below its own: never a
 * room above it, never another room on its own floor. Top-level files are rooms of their own
 * (`index.ts` is the room `index`).
 */
export const FLOORS: readonly (readonly string[])[] = [
  ['cli'],
  ['index', 'sls', 'central'],
  ['report'],
  ['runner'],
  ['playbook'],
  ['modules'],
  ['tasks'],
  ['remote'],
  ['transport', 'inventory', 'secrets', 'config', 'version', 'init'],
  ['base'],
];

/** The room a file of src/ lives in: its first directory, or its own name for a top-level file. */
export function roomOf(file: string): string {
  const [first, ...rest] = file.split('/');
  return rest.length > 0 ? first : first.replace(/\.ts$/, '');
}

// `import … from '…'`, `export … from '…'` and `import '…'` at the start of a line (so not in a
// comment or a doc example), and `import('…')` anywhere.
const STATIC = /^[ \t]*(?:import|export)\b(?:[^;'"`]*?\bfrom)?\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative specifiers a TypeScript source imports (packages and node: built-ins left out). */
export function specifiersOf(source: string): string[] {
  const found = [...source.matchAll(STATIC), ...source.matchAll(DYNAMIC)].map((m) => m[1]);
  return found.filter((s) => s.startsWith('./') || s.startsWith('../'));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every import between the TypeScript files under `srcDir`; throws on one that names no file. */
export function readArrows(srcDir: string): Arrow[] {
  return filesUnder(srcDir).flatMap((path) =>
    specifiersOf(readFileSync(path, 'utf8')).map((specifier) => {
      const target = resolve(dirname(path), specifier);
      if (!existsSync(target)) throw new Error(`${relative(srcDir, path)} imports ${specifier}, which is not a file`);
      return { from: relative(srcDir, path), to: relative(srcDir, target) };
    }),
  );
}

/** The floor of a room, 0 at the top; throws for a room the floors do not place. */
export function floorOf(room: string, floors: readonly (readonly string[])[] = FLOORS): number {
  const floor = floors.findIndex((rooms) => rooms.includes(room));
  if (floor < 0) throw new Error(`src/${room} is on no floor: place it in FLOORS and in docs/architecture.md`);
  return floor;
}

/** The imports between rooms that do not go down: to a room above, or to another room on the same floor. */
export function arrowsNotDown(arrows: readonly Arrow[], floors: readonly (readonly string[])[] = FLOORS): Arrow[] {
  return arrows.filter(({ from, to }) => {
    const [a, b] = [roomOf(from), roomOf(to)];
    return a !== b && floorOf(b, floors) <= floorOf(a, floors);
  });
}

/** The room → room edges (each once), as `from → to`. */
export function roomEdges(arrows: readonly Arrow[]): Arrow[] {
  const seen = new Map<string, Arrow>();
  for (const { from, to } of arrows) {
    const edge = { from: roomOf(from), to: roomOf(to) };
    if (edge.from !== edge.to) seen.set(`${edge.from} ${edge.to}`, edge);
  }
  return [...seen.values()];
}

/**
 * The cycles of a directed graph: its strongly connected components of more than one node
 * (Tarjan's algorithm), each sorted, largest first.
 */
export function cycles(edges: readonly Arrow[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (stack.includes(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => b.length - a.length);
}

/** The arrows inside one cycle, so a message can name the files that close it. */
export function arrowsWithin(cycle: readonly string[], edges: readonly Arrow[]): Arrow[] {
  return edges.filter(({ from, to }) => cycle.includes(from) && cycle.includes(to));
}
