// Many hosts at once: a deploy with --forks N on N simulated hosts (default 50, then 200).
// Checks that every host converged (none dropped, no channel or descriptor exhaustion) and
// reports the CLI's peak RSS and open descriptors, to show memory per host stays flat.
//   node --import tsx bench/scale.ts [N …] [--connect-timeout S]
// The simulated hosts share this machine's CPUs, and every simulated command (the sensor,
// systemctl, journalctl) is a Node process: 200 sshd handshakes and ~1000 such processes at once
// on a small, busy machine can outlast the CLI's default 10 s connect timeout and the test
// alert's 30 s, which real hosts (each with its own CPU) would not. So the deploy here allows
// --connect-timeout (default 60) and sls_test_timeout=300; what is measured is unchanged.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { startFleet, type Fleet } from '../test/fleet/fleet.ts';
import { healthyProfiles, OPERATOR_CONFIG } from '../test/fleet/profiles.ts';
import { CLI, REPO } from '../test/helpers/cli.ts';
import { API_KEY, deployArgs, intendedConfig, MCS_URL, parseJson } from '../test/helpers/rollout.ts';

export interface ScaleResult {
  hosts: number;
  fleetStartMs: number;
  deployMs: number;
  exitCode: number | null;
  /** the CLI's peak resident set, from its own getrusage at exit */
  peakRssKb: number;
  /** most file descriptors the CLI held at once (sampled every 50 ms) */
  peakFds: number;
  summary: Record<string, number>;
  /** SSH connections each host's sshd logged in during the deploy (from its log): host → count */
  logins: Record<string, number>;
}

// Reports the process's own peak RSS on fd 3 as it exits.
const RSS_PROBE = `data:text/javascript,${encodeURIComponent(
  'import { writeSync } from "node:fs"; process.on("exit", () => { try { writeSync(3, String(process.resourceUsage().maxRSS)); } catch {} });',
)}`;

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** Runs the deploy as a user would, measuring the CLI process itself. */
function measuredDeploy(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; peakRssKb: number; peakFds: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const began = Date.now();
    const child = spawn(process.execPath, ['--import', RSS_PROBE, CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: 'true', SLS_API_KEY: API_KEY },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let rss = '';
    let peakFds = 0;
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => (rss += d));
    const sampler = setInterval(() => (peakFds = Math.max(peakFds, countFds(child.pid!))), 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      resolve({ code, stdout, stderr, peakRssKb: Number(rss), peakFds, ms: Date.now() - began });
    });
  });
}

function assertEveryHostConverged(
  fleet: Fleet,
  summary: Record<string, number>,
  hosts: Record<string, { status: string }>,
): void {
  const n = fleet.hosts.length;
  assert.deepEqual(summary, { ok: 0, changed: n, failed: 0, unreachable: 0, skipped: 0 });
  const intended = intendedConfig(OPERATOR_CONFIG);
  for (const h of fleet.hosts) {
    assert.equal(hosts[h.name]?.status, 'changed', `${h.name} reported changed`);
    assert.equal(h.readConfig(), intended, `${h.name}: intended config`);
    assert.equal(h.restartCount(), 1, `${h.name}: restarted once`);
    assert.equal(h.loadedConfig(), intended, `${h.name}: sensor runs the new config`);
  }
  const inbox = fleet.centralInbox().filter((d) => d.url === MCS_URL && d.apiKey === API_KEY);
  assert.equal(new Set(inbox.map((d) => d.host)).size, n, 'Central heard from every host');
}

/** One fleet of `count` hosts, one deploy with --forks count; throws if any host did not converge. */
export async function scaleRun(count: number, subnet: number, connectTimeoutS = 60): Promise<ScaleResult> {
  let began = Date.now();
  const fleet = await startFleet(healthyProfiles(count, 'scale'), { subnet });
  const fleetStartMs = Date.now() - began;
  try {
    began = Date.now();
    const loginsBefore = new Map(fleet.hosts.map((h) => [h.name, h.acceptedLogins()]));
    const allowances = ['--connect-timeout', String(connectTimeoutS), '-e', 'sls_test_timeout=300'];
    const run = await measuredDeploy(deployArgs(fleet, ['--forks', String(count), ...allowances]));
    const json = parseJson({ code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr });
    const problems = run.stderr.split('\n').filter((l) => /^(fatal|unreachable):/.test(l));
    assert.equal(
      run.code,
      0,
      `${JSON.stringify(json.summary)} (CLI peak RSS ${mb(run.peakRssKb)})\n${problems.slice(0, 5).join('\n')}`,
    );
    assertEveryHostConverged(fleet, json.summary, json.hosts);
    return {
      hosts: count,
      fleetStartMs,
      deployMs: Date.now() - began,
      exitCode: run.code,
      peakRssKb: run.peakRssKb,
      peakFds: run.peakFds,
      summary: json.summary,
      logins: Object.fromEntries(fleet.hosts.map((h) => [h.name, h.acceptedLogins() - loginsBefore.get(h.name)!])),
    };
  } finally {
    await fleet.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--connect-timeout');
  const connectTimeoutS = at >= 0 ? Number(args.splice(at, 2)[1]) : 60;
  const counts = args.map(Number);
  const results: ScaleResult[] = [];
  for (const [i, count] of (counts.length ? counts : [50, 200]).entries()) {
    const r = await scaleRun(count, 140 + i, connectTimeoutS);
    results.push(r);
    process.stdout.write(
      `${String(r.hosts).padStart(4)} hosts, --forks ${r.hosts}: all converged; fleet up ${(r.fleetStartMs / 1000).toFixed(1)} s, deploy ${(r.deployMs / 1000).toFixed(1)} s, ` +
        `CLI peak RSS ${mb(r.peakRssKb)}, peak fds ${r.peakFds}\n`,
    );
  }
  if (results.length >= 2) {
    const [a, b] = [results[0]!, results.at(-1)!];
    const perHost = (b.peakRssKb - a.peakRssKb) / (b.hosts - a.hosts);
    process.stdout.write(
      `peak RSS grows ${perHost.toFixed(0)} KB per extra host between ${a.hosts} and ${b.hosts} hosts\n`,
    );
  }
}
