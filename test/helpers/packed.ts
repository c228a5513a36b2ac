/**
 * The package as users get it: `npm pack` of this checkout, installed with --ignore-scripts (as
 * npm holds back install scripts) into a new project outside the checkout, beside typescript and
 * @types/node. Used by test/e2e/package.test.ts and bench/startup.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO, type CliRun } from './cli.ts';

const exec = promisify(execFile);
const npm = (args: string[], cwd: string) =>
  exec('npm', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });

export interface Packed {
  /** The .tgz file. */
  tarball: string;
  /** Its size in bytes, and the files it holds (paths inside the package). */
  size: number;
  files: string[];
}

export interface InstalledProject {
  /** The project: `npm init -y` (so "type": "commonjs"), sls-play, typescript and @types/node installed. */
  dir: string;
  packed: Packed;
}

/** `npm pack` of the checkout (its prepack builds dist/) into a new temporary directory. */
export async function packTarball(): Promise<Packed> {
  const into = mkdtempSync(join(tmpdir(), 'sls-play-pack-'));
  const { stdout } = await npm(['pack', '--json', '--pack-destination', into], REPO);
  const [info] = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
    filename: string;
    size: number;
    files: { path: string }[];
  }[];
  return { tarball: join(into, info!.filename), size: info!.size, files: info!.files.map((f) => f.path).sort() };
}

/** A new project outside the checkout with the packed tarball installed, as a user would. */
export async function installPacked(): Promise<InstalledProject> {
  const packed = await packTarball();
  const dir = mkdtempSync(join(tmpdir(), 'sls-play-user-'));
  await npm(['init', '-y'], dir);
  const dev = (
    JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
  ).devDependencies;
  // --prefer-offline: the checkout's `npm ci` already holds every dependency in npm's cache
  await npm(
    [
      'install',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      packed.tarball,
      `typescript@${dev.typescript}`,
      `@types/node@${dev['@types/node']}`,
    ],
    dir,
  );
  return { dir, packed };
}

interface RunOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
}

/** Runs a program of the project's node_modules/.bin (`sls-play`, `tsc`), from the project unless told. */
export function runBin(
  project: string,
  bin: string,
  args: string[],
  options: Partial<RunOptions> = {},
): Promise<CliRun> {
  return runProgram(join(project, 'node_modules', '.bin', bin), args, { cwd: project, ...options });
}

/** Runs a program (found on PATH unless a path), its output collected. */
export function runProgram(program: string, args: string[], options: RunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: {
        ...process.env,
        CI: 'true',
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}
