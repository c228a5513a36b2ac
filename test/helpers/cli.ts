import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../bin/sls-play.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI as a user would (no terminal, so plain line output), from the repo root. */
export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: 'true', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** The common arguments that point the CLI at a simulated fleet. */
export function fleetArgs(fleet: { inventoryPath: string; knownHostsPath: string }): string[] {
  return [fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath];
}

/** Runs a program to its end with no stdin, as a user's shell would: its exit code and output. */
export function runProgram(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `sls-play exec <fleet> <pattern> -- <command…>`: a command on the matched hosts of a simulated fleet. */
export function execOn(
  fleet: { inventoryPath: string; knownHostsPath: string },
  pattern: string,
  command: string[],
  options?: Parameters<typeof runCli>[1],
): Promise<CliRun> {
  return runCli(['exec', ...fleetArgs(fleet), pattern, '--', ...command], options);
}

/**
 * `sls-play exec <inventory> <pattern> --known-hosts <file> [--host-key-checking <mode>] … -- <command…>`:
 * a command run with a known_hosts file of the test's own.
 */
export function execWithKnownHosts(
  run: { inventory: string; pattern: string; knownHosts: string; checking?: 'strict' | 'accept-new' },
  options: string[],
  command: string[],
): Promise<CliRun> {
  const checking = run.checking ? ['--host-key-checking', run.checking] : [];
  return runCli([
    'exec',
    run.inventory,
    run.pattern,
    '--known-hosts',
    run.knownHosts,
    ...checking,
    ...options,
    '--',
    ...command,
  ]);
}

/** `sls-play exec <inventory> <pattern> --ssh-config <file> … -- <command…>`: a command reached through an ssh config. */
export function execWithSshConfig(
  run: { inventory: string; pattern: string; config: string },
  options: string[],
  command: string[],
): Promise<CliRun> {
  return runCli(['exec', run.inventory, run.pattern, '--ssh-config', run.config, ...options, '--', ...command]);
}
