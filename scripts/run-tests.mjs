#!/usr/bin/env node
// Runs the test files, each in its own `node --test`, one at a time by default or a few side by
// side (`--lanes N`). Every e2e file owns its addresses, users and files, so any two files can
// meet; with more than one lane, the heavy ones (hundreds of hosts, or timing a signal) all go to
// lane 1, one after another, and the other files wait in one queue, longest first, that a free
// lane takes from. A file's output is printed whole when it ends.
//
// `npm test` keeps one lane: on a 2-CPU machine two lanes took 907 s instead of 1,283 s, but in
// two of four whole runs a timing test (faults' sshd kill, the Central gate's Ctrl-C, -T) missed
// its moment beside another file; a red CI costs more than the minutes.
//
//   node scripts/run-tests.mjs [--lanes N] [file ...]     (default: 1 lane, every test file)
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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

/** Lane 1's own files (the heavy ones), and the queue every lane takes from (longest first). */
export function plan(files) {
  return {
    heavy: files.filter((file) => HEAVY.has(file)),
    queue: files.filter((file) => !HEAVY.has(file)).sort((a, b) => secondsOf(b) - secondsOf(a)),
  };
}

/**
 * Runs every file once on `lanes` lanes: lane 1 its heavy files first, then every lane takes the
 * next file of the queue when it is free; once `stopped()` holds no file starts. Resolves with what
 * `runFile(file, lane)` gave, for the files that ran, in file order.
 */
export async function runLanes(files, lanes, runFile, stopped = () => false) {
  const { heavy, queue } = plan(files);
  const results = new Map();
  const lane = async (index, own) => {
    const next = () => (stopped() ? undefined : (own.shift() ?? queue.shift()));
    for (let file = next(); file !== undefined; file = next()) results.set(file, await runFile(file, index));
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i, i === 0 ? [...heavy] : [])));
  return files.filter((file) => results.has(file)).map((file) => results.get(file));
}

function parseArgs(argv) {
  let lanes = 1;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--lanes') {
      lanes = Number(argv[++i]);
      if (!Number.isInteger(lanes) || lanes < 1) {
        console.error(`--lanes takes a whole number of at least 1, not ${argv[i]}`);
        process.exit(2);
      }
    } else files.push(relative(ROOT, join(process.cwd(), argv[i])));
  }
  return { lanes, files: files.length ? files : testFiles() };
}

/** The spec reporter's closing count, e.g. `ℹ pass 12`. */
const count = (output, what) => Number(new RegExp(`^ℹ ${what} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);

/** One file in its own `node --test`; its output printed whole, under a line naming it, when it ends. */
function runFile(file, lane, children) {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      const ok = code === 0;
      process.stdout.write(
        `── ${file}: ${ok ? 'passed' : `FAILED (exit ${code ?? signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s, lane ${lane + 1}\n${output}\n`,
      );
      resolve({ file, ok, tests: count(output, 'tests'), failedTests: count(output, 'fail') });
    }),
  );
}

async function main() {
  const { lanes, files } = parseArgs(process.argv.slice(2));
  const children = new Set();
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.on(signal, () => {
      interrupted = true;
      for (const child of children) child.kill(signal);
    });
  const started = Date.now();
  const results = await runLanes(
    files,
    lanes,
    (file, lane) => runFile(file, lane, children),
    () => interrupted,
  );
  const failed = results.filter((r) => !r.ok);
  const sum = (key) => results.reduce((n, r) => n + r[key], 0);
  console.log(
    `${results.length} of ${files.length} files, ${sum('tests')} tests (${sum('failedTests')} failed) in ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s on ${lanes} lane(s): ` +
      (failed.length === 0 && !interrupted
        ? 'all passed'
        : `${interrupted ? 'interrupted; ' : ''}${failed.length} file(s) FAILED:\n${failed.map((r) => `  ${r.file}`).join('\n')}`),
  );
  process.exit(failed.length === 0 && !interrupted ? 0 : 1);
}

// run when called, not when a test imports runLanes
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
