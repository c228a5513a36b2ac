// Builds dist/, what the published package runs: the CLI and the package's exports (`sls-play`,
// `sls-play/sls`) compiled by esbuild into one bundle split into shared chunks, so every source
// module is in exactly one chunk and a playbook importing `sls-play` shares the CLI's instance
// (a secret it registers is masked by the CLI). Dependencies are bundled too: reading a few files
// instead of hundreds is most of the start-up time. ssh2 (native parts found beside it) and tsx
// (loads the user's playbooks) stay outside. tsc writes the declaration files.
//   node bin/build.mjs           JavaScript and declarations, from scratch (prepack)
//   node bin/build.mjs --js      JavaScript only, when the sources changed (pretest, a checkout's bin)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(PACKAGE_DIR, 'dist');
const SOURCES = join(PACKAGE_DIR, 'src');
// beside the build, not in it: dist/ is what the package ships
const KEY_FILE = join(PACKAGE_DIR, 'node_modules', '.cache', 'sls-play', 'dist-key');
const ENTRIES = { 'cli/main': 'src/cli/main.ts', index: 'src/index.ts', 'sls/index': 'src/sls/index.ts' };
const FORMAT = 1; // bump when the build's layout changes, so checkouts build again

function sourceFiles() {
  return readdirSync(SOURCES, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => join('src', f));
}

/** A hash of every input's path, size and modification time: a changed source is a new key. */
export function sourceKey() {
  const hash = createHash('sha1').update(`format ${FORMAT}\n`);
  for (const file of ['package.json', 'package-lock.json', 'bin/build.mjs', ...sourceFiles()]) {
    const s = statSync(join(PACKAGE_DIR, file), { throwIfNoEntry: false });
    hash.update(`${file}\0${s?.size}\0${s?.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Whether dist/ holds the JavaScript for the sources as they are now. */
export function isFresh(key = sourceKey()) {
  try {
    return readFileSync(KEY_FILE, 'utf8') === key && existsSync(join(DIST, 'cli', 'main.js'));
  } catch {
    return false;
  }
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(dir, f)).isFile());
}

/**
 * Compiles the JavaScript into a temporary directory and moves it into dist/ file by file:
 * chunks (named by their content's hash) first, entry points after them, so a CLI starting
 * meanwhile loads a whole build, old or new. `prune: 'all'` removes every file the build did not
 * write (a package must hold no stale chunk); 'old' only those a day old, which no running CLI
 * still loads.
 */
export async function buildJavaScript({ prune = 'old' } = {}) {
  const key = sourceKey();
  const { build } = await import('esbuild');
  const temporary = join(PACKAGE_DIR, `.dist-${process.pid}-${Date.now()}`);
  try {
    await build({
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, join(PACKAGE_DIR, file)])),
      outdir: temporary,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      keepNames: true,
      external: ['ssh2', 'tsx'],
      // CommonJS dependencies call require(); an ES module has none unless given one
      banner: {
        js: "import { createRequire as __slsPlayRequire } from 'node:module'; const require = __slsPlayRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    const entryFiles = new Set(Object.keys(ENTRIES).map((name) => `${name}.js`));
    const written = filesUnder(temporary).sort((a, b) => Number(entryFiles.has(a)) - Number(entryFiles.has(b)));
    for (const file of written) {
      mkdirSync(dirname(join(DIST, file)), { recursive: true });
      renameSync(join(temporary, file), join(DIST, file));
    }
    const keep = new Set(written);
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    for (const file of filesUnder(DIST)) {
      if (keep.has(file) || !file.endsWith('.js')) continue;
      if (prune === 'all' || statSync(join(DIST, file)).mtimeMs < dayAgo) rmSync(join(DIST, file), { force: true });
    }
    mkdirSync(dirname(KEY_FILE), { recursive: true });
    writeFileSync(KEY_FILE, key);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

/**
 * tsc's declaration files for the package's exports (and what they reference). The sources
 * import each other as `./x.ts`; a declaration file must say `./x.js`, as its JavaScript does,
 * or a user's tsc refuses it (TS5097).
 */
export function buildDeclarations() {
  const tsc = join(PACKAGE_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(PACKAGE_DIR, 'tsconfig.build.json')], { stdio: 'inherit' });
  for (const file of filesUnder(DIST).filter((f) => f.endsWith('.d.ts'))) {
    const path = join(DIST, file);
    const text = readFileSync(path, 'utf8');
    const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.([cm]?)ts(['"])/g, '$1$2.$3js$4');
    if (fixed !== text) writeFileSync(path, fixed);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--js')) {
    if (!isFresh()) await buildJavaScript();
  } else {
    rmSync(DIST, { recursive: true, force: true });
    await buildJavaScript({ prune: 'all' });
    buildDeclarations();
  }
}
