// A real browser for the HTML report's tests: Debian's Chromium (`apt-get install chromium`),
// driven by playwright-core, headless. Without Chromium the tests are skipped with the reason,
// except in CI (CI set), where a missing browser is a failure.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SLS_PLAY_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (undefined: they can); in CI they must. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM) || process.env.CI) return undefined;
  return `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set SLS_PLAY_CHROMIUM): the HTML report's browser tests are skipped`;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `CI needs Chromium at ${CHROMIUM} for the HTML report's tests: apt-get install chromium (.ci/run does)`,
    );
  // as root, Chromium refuses to start without --no-sandbox
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export interface OpenedReport {
  page: Page;
  /** console errors and warnings, uncaught exceptions, dialogs (alert, confirm) and requests to anywhere */
  problems: string[];
}

/** Opens a report file and waits until its script has drawn it. */
export async function openReport(
  browser: Browser,
  file: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  const url = pathToFileURL(file).href;
  page.on('request', (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"][data-rows="complete"]', { timeout: 30_000 });
  return { page, problems };
}

/** The hosts of the table's shown rows, in order. */
export async function shownHosts(page: Page): Promise<string[]> {
  await page.waitForSelector('body[data-rows="complete"]');
  return page.$$eval('#rows tr.host', (rows) => rows.map((r) => (r as HTMLElement).dataset.host!));
}

/** The shown rows as text: host, status, failed step, message (duration left out: it differs between runs). */
export async function rowTexts(page: Page): Promise<string[][]> {
  await page.waitForSelector('body[data-rows="complete"]');
  return page.$$eval('#rows tr.host', (rows) =>
    rows.map((r) =>
      Array.from(r.querySelectorAll('td'))
        .slice(0, 4)
        .map((td) => td.textContent ?? ''),
    ),
  );
}
