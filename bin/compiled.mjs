// The CLI precompiled to plain JavaScript, so `sls-play` starts without compiling TypeScript on
// every run. Built by `npm ci` (the `prepare` script) or on the first run after the sources
// change, into node_modules/.cache/sls-play/cli-<key>, where <key> is a hash of every source
// file's path, size and modification time: a changed source is a new key, never a stale build.
// Builds are written to a temporary directory and renamed into place, so many CLIs starting at
// once (a fleet of CI jobs, the test suite) never see half a build.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const FORMAT = 2; // bump when the output layout changes
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = join(PACKAGE_DIR, 'src');
const CACHE = join(PACKAGE_DIR, 'node_modules', '.cache', 'sls-play');

function sourceFiles() {
  return readdirSync(SOURCES, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

// The bundle holds the dependencies too: a changed lock file or package.json is a new build.
const INPUTS = ['package.json', 'package-lock.json'];

/** The build directory for the sources as they are now. */
export function buildDir(files = sourceFiles()) {
  const hash = createHash('sha1').update(`format ${FORMAT}\n`);
  for (const file of [...INPUTS, ...files.map((f) => join('src', f))]) {
    const s = statSync(join(PACKAGE_DIR, file), { throwIfNoEntry: false });
    hash.update(`${file}\0${s?.size}\0${s?.mtimeMs}\n`);
  }
  return join(CACHE, `cli-${hash.digest('hex').slice(0, 16)}`);
}

/**
 * Compiles the CLI and the package's exports (`sls-play`, `sls-play/sls`) as one bundle split
 * into shared chunks: every source module is in exactly one chunk, so the CLI and a playbook
 * importing `sls-play` share one instance of it. Dependencies are bundled too (reading one file
 * instead of hundreds is most of the saving), except ssh2, whose optional native parts must be
 * found beside it.
 */
export async function build(dir = buildDir()) {
  const { build: esbuild } = await import('esbuild');
  const exportsMap = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).exports ?? {};
  const entryPoints = { 'cli/main': join(SOURCES, 'cli', 'main.ts') };
  const entryOf = {};
  for (const [subpath, target] of Object.entries(exportsMap)) {
    const file = typeof target === 'string' ? target : (target.default ?? target.import);
    if (typeof file !== 'string' || !file.startsWith('./src/')) continue;
    const name = file.slice('./src/'.length).replace(/\.ts$/, '');
    entryPoints[name] = join(PACKAGE_DIR, file);
    entryOf[`sls-play${subpath.slice(1)}`] = name;
  }
  const temporary = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await esbuild({
    entryPoints,
    outdir: temporary,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    keepNames: true,
    external: ['ssh2', 'tsx', 'esbuild'],
    // CommonJS dependencies call require(); an ES module has none unless given one
    banner: { js: "import { createRequire as __slsPlayRequire } from 'node:module'; const require = __slsPlayRequire(import.meta.url);" },
    logLevel: 'error',
  });
  const specifiers = Object.fromEntries(Object.entries(entryOf).map(([spec, name]) => [spec, pathToFileURL(join(dir, `${name}.js`)).href]));
  writeFileSync(join(temporary, 'exports.json'), JSON.stringify(specifiers, null, 2));
  try {
    renameSync(temporary, dir);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(join(dir, 'exports.json'))) throw error; // not another CLI's build that won the race
  }
  return dir;
}

/** The compiled CLI's directory, built now if the sources changed since; undefined if it cannot be. */
export async function compiledCli() {
  const dir = buildDir();
  if (existsSync(join(dir, 'exports.json'))) return dir;
  mkdirSync(CACHE, { recursive: true });
  const built = await build(dir);
  // builds for sources that changed since, left by editing; a day old, so no running CLI still loads from one
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const old of staleBuilds(built)) {
    try {
      if (statSync(old).mtimeMs < dayAgo) rmSync(old, { recursive: true, force: true });
    } catch {
      // another CLI tidied it first
    }
  }
  return built;
}

/** Old builds, for `npm run build:cli` to tidy. */
export function staleBuilds(current) {
  if (!existsSync(CACHE)) return [];
  return readdirSync(CACHE)
    .map((name) => join(CACHE, name))
    .filter((path) => path !== current && relative(CACHE, path).startsWith('cli-'));
}

// `npm ci` (prepare) and `npm run build:cli`: build now and tidy old builds. A failure only
// costs start-up time (the CLI then runs the sources through tsx), so it never fails the install.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const dir = await compiledCli();
    for (const old of staleBuilds(dir)) rmSync(old, { recursive: true, force: true });
    process.stdout.write(`sls-play: CLI compiled into ${relative(PACKAGE_DIR, dir)}\n`);
  } catch (error) {
    process.stderr.write(`sls-play: could not precompile the CLI (${error?.message ?? error}); it will run through tsx, more slowly\n`);
  }
}
