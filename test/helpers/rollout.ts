// What the rollout and fault tests share: a deploy as a user runs it, a CLI the test can signal,
// and the hosts' state read from their files (config bytes, write time, journal with times).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { editSensorConfig } from '../../src/sls/config-edit.ts';
import type { Fleet, FleetHost } from '../fleet/fleet.ts';
import { CONFIG_NAME, hostPaths } from '../fleet/layout.ts';
import { CLI, fleetArgs, REPO, runCli, type CliRun } from './cli.ts';

export const API_KEY = 'rollout-tenant-token-0123456789';
export const MCS_URL = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';
const ENV = { SLS_API_KEY: API_KEY };

/** The arguments of a deploy to Ireland on the fleet, with `--json`. */
export function deployArgs(fleet: Fleet, extra: string[] = []): string[] {
  return ['deploy', ...fleetArgs(fleet), '-e', 'sls_region=eu-west-1', '--json', ...extra];
}

export interface HostJson {
  status: string;
  reason?: string;
  steps: Array<{ name: string; status: string; message: string }>;
}
export interface RunJson {
  hosts: Record<string, HostJson>;
  summary: Record<string, number>;
  interrupted?: boolean;
}

export interface Deployed extends CliRun {
  json: RunJson;
  ms: number;
}

export function parseJson(run: CliRun): RunJson {
  try {
    return JSON.parse(run.stdout) as RunJson;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

export async function deploy(fleet: Fleet, extra: string[] = []): Promise<Deployed> {
  const began = Date.now();
  const run = await runCli(deployArgs(fleet, extra), { env: ENV });
  return { ...run, json: parseJson(run), ms: Date.now() - began };
}

/** The config the deploy writes for a given original (the tool's own edit, checked by its unit tests). */
export function intendedConfig(original: string): string {
  const edit = editSensorConfig(original, {
    url: MCS_URL,
    apiKey: API_KEY,
    deployment: 'package',
    certDir: '/etc/sophos',
  });
  assert.ok(edit.ok && edit.changed, 'the edit changes the original config');
  assert.match(edit.text, /type: mcs/);
  assert.ok(edit.text.includes(MCS_URL) && edit.text.includes(API_KEY));
  return edit.text;
}

function configFile(host: FleetHost): string {
  return join(hostPaths(host.root).sophos, CONFIG_NAME);
}

/** When the host's current config file was written (the deploy's rename keeps the temp file's mtime). */
export function configWrittenAt(host: FleetHost): number {
  return statSync(configFile(host)).mtimeMs;
}

export interface JournalEntry {
  t: number;
  ident: string;
  msg: string;
}

/** The host's journal with millisecond times. */
export function journalEntries(host: FleetHost): JournalEntry[] {
  const file = join(hostPaths(host.root).state, 'journal.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JournalEntry);
}

/** Puts a host's config back to `text` from the controller side, as if no deploy had run. */
export function resetConfig(host: FleetHost, text: string): void {
  writeFileSync(configFile(host), text, { mode: 0o600 });
}

/** Leftovers of an interrupted write or restore: temp files beside the config. */
export function tempFiles(host: FleetHost): string[] {
  return host.listSophosDir().filter((n) => n.includes('.sls-play'));
}

export function backups(host: FleetHost): string[] {
  return host.listSophosDir().filter((n) => n.endsWith('.bak'));
}

/**
 * The invariant every fault and interrupt must keep: the config parses and is byte for byte
 * either the original or the intended one, and no temp file is left beside it.
 */
export function assertOriginalOrIntended(host: FleetHost, original: string): 'original' | 'intended' {
  const text = host.readConfig();
  assert.ok(text !== null, `${host.name}: config present`);
  assert.doesNotThrow(() => YAML.parse(text), `${host.name}: config parses`);
  assert.deepEqual(tempFiles(host), [], `${host.name}: no temp file left`);
  if (text === original) return 'original';
  assert.equal(text, intendedConfig(original), `${host.name}: config is either the original or the intended bytes`);
  return 'intended';
}

/** A host the deploy converged: intended config loaded by a restarted, active sensor, alert in Central. */
export function assertConverged(fleet: Fleet, host: FleetHost, original: string, restarts = 1): void {
  assert.equal(host.readConfig(), intendedConfig(original), `${host.name}: intended config`);
  assert.equal(host.restartCount(), restarts, `${host.name}: restarted ${restarts} time(s)`);
  assert.equal(host.serviceState(), 'active', `${host.name}: sensor active`);
  assert.equal(host.loadedConfig(), host.readConfig(), `${host.name}: the running sensor loaded the new config`);
  assert.match(host.journal(), /Alert triggered: Alert Tester/, `${host.name}: test alert in the journal`);
  const delivered = fleet.centralInbox().filter((d) => d.host === host.name);
  assert.ok(
    delivered.some((d) => d.url === MCS_URL && d.apiKey === API_KEY),
    `${host.name}: Central received its test alert`,
  );
  assert.deepEqual(tempFiles(host), [], `${host.name}: no temp file`);
}

/** A host the deploy never touched: original bytes, never restarted, no backup, nothing sent. */
export function assertUntouched(fleet: Fleet, host: FleetHost, original: string): void {
  assert.equal(host.readConfig(), original, `${host.name}: config untouched`);
  assert.equal(host.restartCount(), 0, `${host.name}: never restarted`);
  assert.equal(host.serviceState(), 'active', `${host.name}: sensor still active`);
  assert.deepEqual(backups(host), [], `${host.name}: no backup (nothing was written)`);
  assert.deepEqual(tempFiles(host), [], `${host.name}: no temp file`);
  assert.equal(
    fleet.centralInbox().filter((d) => d.host === host.name).length,
    0,
    `${host.name}: nothing sent to Central`,
  );
}

/** The CLI as a child the test can signal, with its output so far and its exit. */
export interface LiveCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): LiveCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO,
    env: { ...process.env, CI: 'true', ...ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void exited.then(() => clearTimeout(killer));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls until `ready()` holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, ready: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Is a restart of the sensor under way on the host (stopped, not yet started again)? */
export function restarting(host: FleetHost): boolean {
  const entries = journalEntries(host);
  const last = entries.filter((e) => /^(Stopping|Started|Failed to start) /.test(e.msg)).pop();
  return last?.msg.startsWith('Stopping ') ?? false;
}
