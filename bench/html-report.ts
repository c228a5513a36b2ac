// The HTML report's size and the time Chromium takes to open it, at 200 and 1,000 hosts.
// The 200-host document is a real deploy on the simulated fleet (subnet 197; failed and
// unreachable hosts among them, --diff so every changed host carries its diff); the 1,000-host
// one is that document five times over (hosts renamed), as a bigger fleet's run would read.
//   node --import tsx bench/html-report.ts [--from run.json] [--loads N]
// Prints a markdown table (also written to bench/results/html-report-latest.md).
// Needs Chromium (apt-get install chromium). Opening is timed from navigation start to
// DOMContentLoaded, first contentful paint, the page's script having drawn the header, timeline
// and first rows of the table (body[data-ready]), and every row being in (the rest follow in
// chunks after the first paint); the median of N loads (default 5) in a fresh page each.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { htmlReport } from '../src/report/html/report.ts';
import type { RunDocument } from '../src/report/run-document.ts';
import { summarise } from '../src/runner/status.ts';
import { startFleet } from '../test/fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../test/fleet/profiles.ts';
import type { HostProfile } from '../test/fleet/types.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { fleetArgs, runCli } from '../test/helpers/cli.ts';
import { API_KEY } from '../test/helpers/rollout.ts';
import { machine, median, publish, table } from './measure.ts';

function profiles(count: number): HostProfile[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `node-${String(i + 1).padStart(3, '0')}`;
    if (i % 25 === 3) return { name, down: true };
    if (i % 25 === 7) return { name, version: '5.4.1.3', config: OPERATOR_CONFIG };
    if (i % 25 === 11) return { name, restartBroken: true, config: OPERATOR_CONFIG };
    return { name, config: OPERATOR_CONFIG };
  });
}

/** A real 200-host deploy's --json-out document. */
async function realRun(dir: string): Promise<RunDocument> {
  const fleet = await startFleet(profiles(200), { subnet: 197 });
  try {
    const out = join(dir, 'run.json');
    const args = [
      'deploy',
      ...fleetArgs(fleet),
      '-e',
      'sls_region=eu-west-1',
      '-e',
      'sls_test_timeout=300',
      '--diff',
      '--forks',
      '50',
      '--connect-timeout',
      '60',
      '--json-out',
      out,
    ];
    const run = await runCli(args, { env: { SLS_API_KEY: API_KEY }, timeoutMs: 900_000 });
    if (![0, 2, 3].includes(run.code)) throw new Error(`the deploy exited ${run.code}: ${run.stderr.slice(-2000)}`);
    return JSON.parse(readFileSync(out, 'utf8')) as RunDocument;
  } finally {
    await fleet.stop();
  }
}

/** The document `times` over, each copy's hosts renamed (node-001 → node-001-2 …). */
function scaled(doc: RunDocument, times: number): RunDocument {
  const hosts: RunDocument['hosts'] = {};
  for (let k = 1; k <= times; k++) {
    for (const [name, host] of Object.entries(doc.hosts)) hosts[k === 1 ? name : `${name}-${k}`] = host;
  }
  return { ...doc, hosts, summary: summarise(hosts) };
}

interface Opening {
  domContentLoadedMs: number;
  firstContentfulPaintMs: number;
  readyMs: number;
  /** every row of the host table in the page */
  rowsMs: number;
}

async function open(browser: Browser, file: string): Promise<Opening> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-ready="true"][data-rows="complete"]');
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      // no named functions in here: tsx would wrap them in a helper the page does not have
      const [ready, rows] = ['report-ready', 'rows-complete'].map(
        (name) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN,
      );
      return {
        domContentLoadedMs: nav.domContentLoadedEventEnd,
        firstContentfulPaintMs: fcp?.startTime ?? NaN,
        readyMs: ready!,
        rowsMs: rows!,
      };
    });
  } finally {
    await page.close();
  }
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (values: number[]) => `${median(values).toFixed(0)} ms`;

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const args = process.argv.slice(2);
  const from = args.includes('--from') ? args[args.indexOf('--from') + 1] : undefined;
  const loads = args.includes('--loads') ? Number(args[args.indexOf('--loads') + 1]) : 5;
  const dir = mkdtempSync(join(tmpdir(), 'sls-html-bench-'));
  const browser = await launchBrowser();
  try {
    const base = from ? (JSON.parse(readFileSync(from, 'utf8')) as RunDocument) : await realRun(dir);
    const rows: string[][] = [];
    for (const times of [1, 5]) {
      const doc = scaled(base, times);
      const began = performance.now();
      const html = htmlReport(doc);
      const buildMs = performance.now() - began;
      const file = join(dir, `report-${times}.html`);
      writeFileSync(file, html);
      await open(browser, file); // warm-up: the first page of a browser pays for its start
      const runs: Opening[] = [];
      for (let i = 0; i < loads; i++) runs.push(await open(browser, file));
      rows.push([
        String(Object.keys(doc.hosts).length),
        kib(Buffer.byteLength(html)),
        kib(Buffer.byteLength(JSON.stringify(doc, null, 2))),
        `${buildMs.toFixed(0)} ms`,
        ms(runs.map((r) => r.domContentLoadedMs)),
        ms(runs.map((r) => r.firstContentfulPaintMs)),
        ms(runs.map((r) => r.readyMs)),
        ms(runs.map((r) => r.rowsMs)),
      ]);
    }
    const report = [
      `HTML report of a real ${Object.keys(base.hosts).length}-host run (${JSON.stringify(base.summary)}), and of it five times over; opening: median of ${loads} loads in headless Chromium.`,
      '',
      table(
        [
          'hosts',
          'HTML',
          '--json-out',
          'written in',
          'DOMContentLoaded',
          'first contentful paint',
          'header, timeline and first 300 rows drawn',
          'every row in',
        ],
        rows,
      ),
      '',
      `Machine: ${machine()}.`,
      '',
    ].join('\n');
    publish({ 'html-report-latest.md': report }, report);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
