// What the deploy end-to-end tests look at on a host and in the CLI's output.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetHost } from '../fleet/fleet.ts';
import type { CliRun } from '../helpers/cli.ts';

export interface JsonStep {
  name: string;
  status: string;
  message: string;
  diff?: string;
  warnings?: string[];
}

export interface JsonReport {
  hosts: Record<string, { status: string; steps: JsonStep[] }>;
  summary: { ok: number; changed: number; failed: number; unreachable: number; skipped: number };
}

/** stdout of a `--json` run must be exactly one JSON document. */
export function parseJsonReport(stdout: string): JsonReport {
  let doc: JsonReport;
  try {
    doc = JSON.parse(stdout) as JsonReport;
  } catch (error) {
    throw new Error(
      `stdout of --json is not one JSON document (${(error as Error).message}):\n${stdout.slice(0, 2000)}`,
    );
  }
  assert.equal(typeof doc.hosts, 'object');
  assert.deepEqual(Object.keys(doc.summary).sort(), ['changed', 'failed', 'ok', 'skipped', 'unreachable']);
  return doc;
}

export function step(report: JsonReport, host: string, name: string): JsonStep {
  const found = report.hosts[host]?.steps.find((s) => s.name === name);
  assert.ok(found, `${host} has no step "${name}": ${JSON.stringify(report.hosts[host])}`);
  return found;
}

/** Backup file names (`runtimedetections.yaml.<timestamp>.bak`) in a listing of /etc/sophos. */
export function backupsOf(listing: string[]): string[] {
  return listing.filter((n) => n.endsWith('.bak'));
}

/** A file in the host's /etc/sophos, as the host sees it. */
export function sophosFile(host: FleetHost, name: string): string {
  return readFileSync(join(host.root, 'etc', 'sophos', name), 'utf8');
}

/** Every file in the host's /etc/sophos and /etc/sophos-certs with its bytes and mode. */
export function snapshotFiles(host: FleetHost): Record<string, { bytes: string; mode: number }> {
  const out: Record<string, { bytes: string; mode: number }> = {};
  for (const dir of ['sophos', 'sophos-certs']) {
    const base = join(host.root, 'etc', dir);
    for (const name of readdirSync(base).sort()) {
      if (name === 'lost+found') continue;
      const file = join(base, name);
      out[`/etc/${dir}/${name}`] = { bytes: readFileSync(file).toString('base64'), mode: statSync(file).mode & 0o7777 };
    }
  }
  return out;
}

/** Everything a user could check on a host, to prove nothing changed. */
export function snapshotHost(host: FleetHost) {
  return {
    files: snapshotFiles(host),
    restarts: host.restartCount(),
    state: host.serviceState(),
    loaded: host.loadedConfig(),
    journal: host.journal(),
  };
}

/** No temporary file of ours (`*.sls-play.*`, `*.sls-play-restore`) left in /etc/sophos. */
export function assertNoStrayFiles(host: FleetHost): void {
  const stray = host.listSophosDir().filter((n) => /sls-play/.test(n));
  assert.deepEqual(stray, [], `${host.name}: stray files in /etc/sophos`);
}

/** The key (or a telling piece of it) is in none of the run's output streams. */
export function assertSecretAbsent(key: string, run: CliRun, label = 'run'): void {
  const tail = key.slice(-10);
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    assert.ok(!text.includes(key), `${label}: the API key appears in ${stream}`);
    assert.ok(!text.includes(tail), `${label}: part of the API key appears in ${stream}`);
  }
}
