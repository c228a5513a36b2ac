// The HTML report (--html-out, report html) of real runs on a simulated fleet of 200 hosts, opened
// in a real browser (Chromium, headless): it opens clean, filters and searches, shows hostile
// values as text, holds no API key, and the report of three slices is the report of the whole run.
// A screenshot of each report is saved under test-artifacts/ (git-ignored) for a look by eye.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import YAML from 'yaml';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { OPERATOR_CONFIG } from '../fleet/profiles.ts';
import type { HostProfile } from '../fleet/types.ts';
import { browserMissing, launchBrowser, openReport, rowTexts, shownHosts } from '../helpers/browser.ts';
import { REPO, fleetArgs, runCli } from '../helpers/cli.ts';
import { API_KEY, spawnCli, waitUntil } from '../helpers/rollout.ts';
import type { PageData } from '../../src/report/html/data.ts';
import { summarise } from '../../src/runner/status.ts';

const skip = browserMissing();
const ARTIFACTS = join(REPO, 'test-artifacts');
const KEY = 'e2e-html-report-key-5c81d2';
const HOSTS = 200;

// Every 25th host from the 4th is down (unreachable), from the 8th runs a sensor too old to
// send to Central and from the 12th has no CA certificates (both failed): 8 + 8 + 8 of 200.
function profiles(): HostProfile[] {
  return Array.from({ length: HOSTS }, (_, i) => {
    const name = `node-${String(i + 1).padStart(3, '0')}`;
    if (i % 25 === 3) return { name, down: true };
    if (i % 25 === 7) return { name, version: '5.4.1.3', config: OPERATOR_CONFIG };
    if (i % 25 === 11) return { name, certPairs: [], config: OPERATOR_CONFIG };
    return { name, config: OPERATOR_CONFIG };
  });
}

let fleet: Fleet;
let browser: Browser;
let scratch: string;
const opened: Page[] = [];

before(async () => {
  if (skip) return;
  scratch = mkdtempSync(join(tmpdir(), 'sls-html-test-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser(); // first: in CI, no Chromium is a failure before any fleet starts
  fleet = await startFleet(profiles(), { subnet: 195 });
});

after(async () => {
  for (const page of opened) await page.close().catch(() => undefined);
  await browser?.close();
  await fleet?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function open(file: string) {
  const report = await openReport(browser, file);
  opened.push(report.page);
  return report;
}

const file = (name: string) => join(scratch, name);
const read = (name: string) => readFileSync(file(name), 'utf8');
const data = (page: Page) => page.$eval('#run-data', (el) => JSON.parse(el.textContent!) as PageData);

/** The hosts of a status in a run document, in inventory order. */
function hostsWith(doc: { hosts: Record<string, { status: string }> }, status: string): string[] {
  return Object.entries(doc.hosts)
    .filter(([, h]) => h.status === status)
    .map(([name]) => name);
}

test(`the report of a ${HOSTS}-host deploy with failed and unreachable hosts opens clean, filters, searches and sorts`, {
  skip,
}, async () => {
  const run = await runCli(
    [
      'deploy',
      ...fleetArgs(fleet),
      '-e',
      'sls_region=eu-west-1',
      '--check',
      '--diff',
      '--forks',
      '50',
      '--connect-timeout',
      '60',
      '--retries',
      '0',
      '--json-out',
      file('deploy.json'),
      '--html-out',
      file('deploy.html'),
    ],
    { env: { SLS_API_KEY: KEY }, timeoutMs: 600_000 },
  );
  assert.equal(run.code, 2, run.stderr.slice(-2000));
  const doc = JSON.parse(read('deploy.json'));
  assert.deepEqual(doc.summary, { ok: 0, changed: 176, failed: 16, unreachable: 8, skipped: 0 });
  const html = read('deploy.html');
  assert.ok(!html.includes(KEY), 'the API key is nowhere in the file');
  assert.ok(html.includes('********'), 'the diffs show the key masked');

  const { page, problems } = await open(file('deploy.html'));
  assert.deepEqual(problems, [], 'no console error, exception, dialog or request');
  assert.equal(await page.textContent('#exit'), 'exit status 2: one or more hosts failed');
  assert.equal(await page.textContent('#title'), 'sls-play deploy report');
  const meta = await page.$$eval('#meta > div', (rows) =>
    rows.map((r) => [r.querySelector('dt')!.textContent, r.querySelector('dd')!.textContent]),
  );
  assert.deepEqual(
    meta.map(([k]) => k),
    ['playbook', 'inventory', 'mode', 'ran by', 'started', 'finished', 'duration', 'sls-play'],
  );
  assert.equal(Object.fromEntries(meta).inventory, fleet.inventoryPath);
  const counts = await page.$$eval('#filters .chip', (chips) =>
    chips.map((c) => [(c as HTMLElement).dataset.status, c.querySelector('.chip-count')!.textContent]),
  );
  assert.deepEqual(counts, [
    ['all', '200'],
    ['failed', '16'],
    ['unreachable', '8'],
    ['changed', '176'],
    ['ok', '0'],
    ['skipped', '0'],
  ]);
  assert.equal((await shownHosts(page)).length, HOSTS);
  await page.screenshot({ path: join(ARTIFACTS, 'html-report-200.png') });

  await page.click('#filters .chip[data-status="failed"]');
  assert.deepEqual(await shownHosts(page), hostsWith(doc, 'failed'), 'exactly the failed hosts');
  assert.equal(await page.textContent('#shown'), `16 of ${HOSTS} hosts shown`);
  const failedRows = await rowTexts(page);
  assert.deepEqual(
    failedRows.find(([name]) => name === 'node-008'),
    [
      'node-008',
      'failed',
      'sensor version',
      doc.hosts['node-008'].steps.find((s: { status: string }) => s.status === 'failed').message,
    ],
  );
  await page.click('#filters .chip[data-status="unreachable"]');
  assert.deepEqual(await shownHosts(page), hostsWith(doc, 'unreachable'));
  await page.click('#filters .chip[data-status="all"]');

  const noCerts = doc.hosts['node-012'].steps.find((s: { status: string }) => s.status === 'failed').message;
  await page.fill('#search', noCerts);
  assert.deepEqual(
    await shownHosts(page),
    Object.keys(doc.hosts).filter((_, i) => i % 25 === 11),
    'search finds the hosts by their message',
  );
  await page.fill('#search', '');
  await page.click('#hosts th[data-key="status"]');
  const byStatus = await page.$$eval('#rows tr.host', (rows) => rows.map((r) => (r as HTMLElement).dataset.status));
  assert.deepEqual(byStatus, [
    ...Array(8).fill('unreachable'),
    ...Array(16).fill('failed'),
    ...Array(176).fill('changed'),
  ]);

  // a changed host's details: every step, with its diff (key masked)
  await page.click('#rows tr.host[data-host="node-001"]');
  const details = page.locator('#rows tr.details[data-host="node-001"]');
  assert.deepEqual(
    await details.locator('.step-name').allTextContents(),
    doc.hosts['node-001'].steps.map((s: { name: string }) => s.name),
  );
  const diff = await details.locator('pre.diff').textContent();
  assert.match(diff ?? '', /api_key: "?\*{8}/);

  // the timeline drew bars in the step colours, and a click on a row opens that host
  const coloured = await page.$eval('#timeline-canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 1]! > 120 && pixels[i]! < 80) n++; // the ok green
    return n;
  });
  assert.ok(coloured > 1000, `the timeline has bars (${coloured} green pixels)`);
  assert.deepEqual(problems, []);
});

test('at 1,000 hosts (the deploy five times over) the timeline draws the rows scrolled to, and the table holds every host', {
  skip,
}, async () => {
  const doc = JSON.parse(read('deploy.json'));
  const hosts: Record<string, unknown> = {};
  for (let k = 1; k <= 5; k++)
    for (const [name, host] of Object.entries(doc.hosts)) hosts[k === 1 ? name : `${name}-${k}`] = host;
  writeFileSync(file('deploy-1000.json'), JSON.stringify({ ...doc, hosts, summary: summarise(hosts as never) }));
  const made = await runCli(['report', 'html', file('deploy-1000.json'), '-o', file('deploy-1000.html')]);
  assert.equal(made.code, 0, made.stderr);
  const { page, problems } = await open(file('deploy-1000.html'));
  assert.equal((await shownHosts(page)).length, 1000);
  assert.equal(await page.textContent('#filters .chip[data-status="failed"] .chip-count'), '80');
  const box = page.locator('#timeline');
  await box.evaluate((el) => (el.scrollTop = el.scrollHeight));
  // the box stands at its end (the row under the pointer is read from its scrollTop)
  await page.waitForFunction(() => {
    const el = document.getElementById('timeline')!;
    return el.scrollTop > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
  });
  const canvas = await page.locator('#timeline-canvas').boundingBox();
  await page.mouse.move(canvas!.x + 100, canvas!.y + canvas!.height - 5);
  await page.waitForFunction(() => !document.getElementById('timeline-tip')!.hidden);
  assert.match(
    (await page.textContent('#timeline-tip')) ?? '',
    /^node-200-5 · /,
    'the last row under the pointer is the last host',
  );
  await page.mouse.click(canvas!.x + 100, canvas!.y + canvas!.height - 5);
  assert.equal(
    await page.locator('#rows tr.details').getAttribute('data-host'),
    'node-200-5',
    'a click on its row opens the host',
  );
  await page.screenshot({ path: join(ARTIFACTS, 'html-report-1000.png') });
  assert.deepEqual(problems, []);
});

test('hostile values render as text: a host named <script>, a message with </td>, a diff with -->', {
  skip,
}, async () => {
  const hostile = `<script>alert('host')</script><img src=x onerror=alert(1)>`;
  const inventory = YAML.parse(readFileSync(fleet.inventoryPath, 'utf8'));
  const sensors = inventory.all.children.sensors.hosts;
  const hosts = {
    'node-001': sensors['node-001'],
    'node-002': sensors['node-002'],
    [hostile]: { ...sensors['node-001'], ansible_host: '127.195.250.250' },
  };
  writeFileSync(file('hostile.yml'), YAML.stringify({ all: { hosts } }));
  const args = [file('hostile.yml'), '--known-hosts', fleet.knownHostsPath, '--retries', '0'];
  const message = `</td><td>injected</td><!-- "api" -->`;
  const failing = await runCli([
    'run',
    ...args,
    'all',
    'assert',
    'that=false',
    `message=${message}`,
    '--html-out',
    file('hostile.html'),
  ]);
  assert.equal(failing.code, 2, failing.stderr);
  const content = `--> </script><script>alert('diff')</script> <!--`;
  const written = await runCli([
    'run',
    ...args,
    'node-001',
    'file',
    'path=/etc/sophos/hostile.txt',
    `content=${content}\n`,
    '--diff',
    '--html-out',
    file('diff.html'),
  ]);
  assert.equal(written.code, 0, written.stderr);

  const { page, problems } = await open(file('hostile.html'));
  assert.deepEqual(await shownHosts(page), ['node-001', 'node-002', hostile]);
  const rows = await rowTexts(page);
  assert.deepEqual(
    rows.map((r) => [r[0], r[1]]),
    [
      ['node-001', 'failed'],
      ['node-002', 'failed'],
      [hostile, 'unreachable'],
    ],
  );
  assert.deepEqual([rows[0]![3], rows[1]![3]], [message, message]);
  await page.click('#rows tr.host >> nth=2');
  assert.equal(await page.locator('#rows tr.details .step-name').first().textContent(), 'connect');
  assert.equal(await page.locator('img').count(), 0, 'no element made from the data');
  assert.equal(await page.locator('script').count(), 2);
  assert.equal(
    await page.locator('#rows td').filter({ hasText: 'injected' }).count(),
    2,
    'the message stays in its one cell of each failed host',
  );
  await page.screenshot({ path: join(ARTIFACTS, 'html-report-hostile.png') });

  const diffReport = await open(file('diff.html'));
  await diffReport.page.click('#rows tr.host[data-host="node-001"]');
  assert.match(
    (await diffReport.page.locator('pre.diff').textContent()) ?? '',
    /\+--> <\/script><script>alert\('diff'\)<\/script> <!--/,
  );
  assert.equal(await diffReport.page.locator('script').count(), 2);
  assert.deepEqual([...problems, ...diffReport.problems], [], 'nothing ran: no dialog, no error');
});

test('report html of three slices equals the report of the whole run (hosts, statuses, steps and messages)', {
  skip,
}, async () => {
  const command = 'case "$(hostname)" in node-007|node-019) echo broken >&2; exit 3;; esac; echo fine';
  const limit = ['-l', '~^node-0([0-3][0-9]|40)$'];
  const exec = (extra: string[]) =>
    runCli(['exec', ...fleetArgs(fleet), 'all', ...limit, '--retries', '0', ...extra, '--', command]);
  const whole = await exec(['--html-out', file('whole.html'), '--json-out', file('whole.json')]);
  assert.equal(whole.code, 2, whole.stderr);
  const slices = await Promise.all(
    [1, 2, 3].map((k) => exec(['--slice', `${k}/3`, '--json-out', file(`slice-${k}.json`)])),
  );
  assert.ok(
    slices.every((s) => [0, 2, 3].includes(s.code)),
    slices.map((s) => s.stderr).join('\n'),
  );
  const made = await runCli([
    'report',
    'html',
    file('slice-3.json'),
    file('slice-1.json'),
    file('slice-2.json'),
    '-o',
    file('merged.html'),
  ]);
  assert.equal(made.code, 0, made.stderr);

  const a = await open(file('whole.html'));
  const b = await open(file('merged.html'));
  assert.deepEqual([...a.problems, ...b.problems], []);
  assert.deepEqual(await rowTexts(b.page), await rowTexts(a.page));
  assert.equal((await rowTexts(a.page)).length, 40);
  for (const selector of ['#exit', '#filters', '#title'])
    assert.equal(await b.page.textContent(selector), await a.page.textContent(selector), selector);
  // the data the pages draw, less what differs between two runs: times, and who ran it when
  const untimed = (d: PageData) => ({
    ...d,
    t0: null,
    span: 0,
    meta: d.meta.filter(([k]) => !['started', 'finished', 'duration'].includes(k)),
    hosts: d.hosts.map(({ a: _a, b: _b, ...h }) => ({ ...h, st: h.st.map(({ a: _sa, b: _sb, ...s }) => s) })),
  });
  const [wholeData, mergedData] = [untimed(await data(a.page)), untimed(await data(b.page))];
  const strings = (d: ReturnType<typeof untimed>) =>
    d.hosts.map((h) => ({
      ...h,
      st: h.st.map((s) => ({
        ...s,
        n: d.S[s.n],
        m: d.S[s.m],
        o: s.o === undefined ? undefined : d.S[s.o],
        e: s.e === undefined ? undefined : d.S[s.e],
      })),
    }));
  assert.deepEqual(strings(mergedData), strings(wholeData));
  assert.deepEqual({ ...mergedData, hosts: [], S: [] }, { ...wholeData, hosts: [], S: [] });
  await b.page.screenshot({ path: join(ARTIFACTS, 'html-report-merged.png') });

  // report merge --html-out writes the same report as report html
  const merge = await runCli([
    'report',
    'merge',
    file('slice-1.json'),
    file('slice-2.json'),
    file('slice-3.json'),
    '--html-out',
    file('merge-out.html'),
  ]);
  assert.equal(merge.code, 2, merge.stderr);
  const embedded = (name: string) =>
    JSON.parse(/<script type="application\/json" id="run-data">(.*?)<\/script>/s.exec(read(name))![1]!);
  assert.deepEqual(embedded('merge-out.html'), embedded('merged.html'));
});

test('--html-out is written after a second Ctrl-C too: the hosts that finished, the rest not finished, exit 99', {
  skip,
}, async () => {
  const out = file('interrupted.html');
  const node002 = fleet.host('node-002');
  const node002Before = node002.sshActivity().commands;
  const cli = spawnCli([
    'exec',
    ...fleetArgs(fleet),
    'node-001,node-002,node-003,node-005',
    '--forks',
    '1',
    '--html-out',
    out,
    '--',
    `echo ${API_KEY}; sleep 2`,
  ]);
  await waitUntil('the first host to finish', () => /\[node-001\]/.test(cli.stdout()), 30_000);
  await waitUntil('node-002 to be in its sleep', () => node002.sshActivity().commands > node002Before, 30_000);
  cli.child.kill('SIGINT');
  // the second press once the CLI has taken the first (two at once would arrive as one signal)
  await waitUntil('the first interrupt to be taken', () => /SIGINT: no new host or step will start/.test(cli.stderr()));
  cli.child.kill('SIGINT');
  const end = await cli.exited;
  assert.equal(end.code, 99, `${end.signal}\n${cli.stdout()}\n${cli.stderr()}`);
  const html = readFileSync(out, 'utf8');
  assert.ok(!html.includes(API_KEY), 'the key the command printed is masked');
  const { page, problems } = await open(out);
  assert.deepEqual(problems, []);
  assert.equal(await page.textContent('#exit'), 'exit status 99: interrupted');
  const rows = await rowTexts(page);
  assert.deepEqual(
    rows.map((r) => r[0]),
    ['node-001', 'node-002', 'node-003', 'node-005'],
  );
  assert.deepEqual(rows[0]!.slice(1, 2), ['changed'], 'the host that finished');
  assert.ok(
    rows.slice(1).some((r) => r[3] === 'not finished: stopped by a second interrupt'),
    JSON.stringify(rows),
  );
});

test('status --fail-on-drift --html-out: each drifting host says why, in the table and in its details', {
  skip,
}, async () => {
  const run = await runCli([
    'status',
    ...fleetArgs(fleet),
    '-l',
    'node-001,node-008',
    '--fail-on-drift',
    '-e',
    'sls_region=eu-west-1',
    '--json-out',
    file('status.json'),
    '--html-out',
    file('status.html'),
  ]);
  assert.equal(run.code, 2, run.stderr);
  const drift = JSON.parse(read('status.json')).drift as Record<string, string>;
  assert.deepEqual(
    Object.keys(drift).sort(),
    ['node-001', 'node-008'],
    'node-001 has no mcs output yet, node-008 runs a sensor too old',
  );
  const { page, problems } = await open(file('status.html'));
  assert.equal(await page.textContent('#exit'), 'exit status 2: one or more hosts not compliant (drift)');
  const rows = await rowTexts(page);
  assert.deepEqual(
    rows.map((r) => [r[0], r[3]]),
    [
      ['node-001', `drift: ${drift['node-001']}`],
      ['node-008', `drift: ${drift['node-008']}`],
    ],
  );
  await page.click('#rows tr.host[data-host="node-008"]');
  assert.equal(await page.locator('#rows tr.details .drift').textContent(), `drift: ${drift['node-008']}`);
  assert.ok(
    (await page.locator('#rows tr.details .kv').allTextContents()).some(
      (t) => t.includes('sensorVersion') && t.includes('5.4.1.3'),
    ),
    'the facts status read',
  );
  assert.deepEqual(problems, []);
});

test('report html: a file that is missing or not a run document is a one-line error', async () => {
  const missing = await runCli(['report', 'html', '/nonexistent/run.json', '-o', join(tmpdir(), 'never.html')]);
  assert.equal(missing.code, 5);
  assert.equal(missing.stderr, 'sls-play: report html: /nonexistent/run.json does not exist\n');
  const dir = mkdtempSync(join(tmpdir(), 'sls-html-bad-'));
  try {
    writeFileSync(join(dir, 'x.json'), '{"hosts": 3}');
    const bad = await runCli(['report', 'html', join(dir, 'x.json'), '-o', join(dir, 'r.html')]);
    assert.equal(bad.code, 4);
    assert.match(
      bad.stderr,
      /^sls-play: report html: .*x\.json: no "hosts" object; give files written by --json-out\n$/,
    );
    const noDir = await runCli(['report', 'html', join(dir, 'x.json'), '-o', '/nonexistent/r.html']);
    assert.equal(noDir.code, 5);
    assert.match(
      noDir.stderr,
      /^sls-play: report html: -o \/nonexistent\/r.html: the directory \/nonexistent does not exist\n$/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
