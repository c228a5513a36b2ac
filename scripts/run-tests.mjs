#!/usr/bin/env node
// Runs the test files in lanes side by side: each lane is one `node --test` process taking its
// files one at a time. Every e2e file owns its addresses, users and files, so files of different
// lanes can meet; the heavy ones (hundreds of hosts, or timing a signal) all go to the first lane,
// so two of them never run at once. The other files are spread by their measured length.
//
//   node scripts/run-tests.mjs [--lanes N] [file ...]     (default: 2 lanes, every test file)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');

/** The files that must not run beside one another: hundreds of hosts each, or timing a signal. */
const HEAVY = new Set([
  'test/e2e/html-report.test.ts',
  'test/e2e/scale.test.ts',
  'test/e2e/run-lock-race.test.ts',
  'test/e2e/interrupt.test.ts',
]);
/** Seconds each e2e file took alone on a 2-CPU machine (scripts/test-seconds.json); others count as UNIT or E2E. */
const SECONDS = JSON.parse(readFileSync(join(import.meta.dirname, 'test-seconds.json'), 'utf8'));
const UNIT = 1;
const E2E = 25;
const secondsOf = (file) => SECONDS[file] ?? (file.startsWith('test/unit/') ? UNIT : E2E);

function testFiles() {
  return readdirSync(join(ROOT, 'test'), { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join('test', f))
    .sort();
}

/** The heavy files in the first lane; every other file, longest first, to the lane with the least work so far. */
export function planLanes(files, count) {
  const lanes = Array.from({ length: count }, () => ({ files: [], seconds: 0 }));
  const add = (lane, file) => {
    lane.files.push(file);
    lane.seconds += secondsOf(file);
  };
  for (const file of files) if (HEAVY.has(file)) add(lanes[0], file);
  const rest = files.filter((file) => !HEAVY.has(file)).sort((a, b) => secondsOf(b) - secondsOf(a));
  for (const file of rest)
    add(
      lanes.reduce((a, b) => (b.seconds < a.seconds ? b : a)),
      file,
    );
  return lanes.filter((lane) => lane.files.length > 0);
}

function parseArgs(argv) {
  let count = 2;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lanes') {
      count = Number(argv[++i]);
      if (!Number.isInteger(count) || count < 1) {
        console.error(`--lanes takes a whole number of at least 1, not ${argv[i]}`);
        process.exit(2);
      }
    } else files.push(relative(ROOT, join(process.cwd(), argv[i])));
  }
  return { count, files: files.length ? files : testFiles() };
}

/** One lane's `node --test`, its lines printed as they come, each after the lane's number. */
function runLane(lane, index, children) {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...lane.files],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  const tag = `[${index + 1}] `;
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag}${line}\n`));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ index, code: code ?? 1, signal, seconds: (Date.now() - started) / 1000, files: lane.files.length });
    }),
  );
}

async function main() {
  const { count, files } = parseArgs(process.argv.slice(2));
  const lanes = planLanes(files, count);
  const children = new Set();
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      for (const child of children) child.kill(signal);
    });
  const results = await Promise.all(lanes.map((lane, i) => runLane(lane, i, children)));
  for (const r of results)
    console.log(
      `lane ${r.index + 1}: ${r.files} files in ${r.seconds.toFixed(0)} s, ${r.code === 0 ? 'passed' : `FAILED (exit ${r.code}${r.signal ? `, ${r.signal}` : ''}; its failures are listed above under [${r.index + 1}])`}`,
    );
  process.exit(results.every((r) => r.code === 0) ? 0 : 1);
}

// run when called, not when a test imports planLanes
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
