/**
 * `--html-out` and `report html`: one self-contained HTML file of a run. The page's script and
 * styles are inlined and allowed by their hashes in a Content-Security-Policy that allows nothing
 * else (no network, no other script); the run's data is one JSON block the script reads and
 * renders as text. Every string passes through the redactor first, as for `--json`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../../base/package-root.ts';
import type { RunDocument } from '../run-document.ts';
import { redact, redactValue } from '../secrets.ts';
import { pageData, type PageData } from './data.ts';

interface Assets {
  script: string;
  style: string;
}

let assets: Assets | undefined;

/**
 * The page's script (client.ts compiled by esbuild, which sls-play already depends on) and
 * styles, once per process. Synchronous, so a report can be written on the way out of a second
 * Ctrl-C; esbuild is loaded only when a report is asked for.
 */
function loadAssets(): Assets {
  if (assets) return assets;
  const dir = join(packageRoot(), 'src', 'report', 'html');
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const script = esbuild.transformSync(readFileSync(join(dir, 'client.ts'), 'utf8'), {
    loader: 'ts',
    format: 'iife',
    minify: true,
    target: 'es2020',
    legalComments: 'none',
  }).code;
  const style = esbuild.transformSync(readFileSync(join(dir, 'style.css'), 'utf8'), {
    loader: 'css',
    minify: true,
  }).code;
  if (/<\/(script|style)/i.test(script + style)) throw new Error('the report page script or style holds a closing tag');
  assets = { script: script.trim(), style: style.trim() };
  return assets;
}

/** JSON that cannot end the <script> block it sits in: `<`, `>` and `&` as \u escapes, and the two line separators JavaScript once refused. */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The whole page: the data's JSON (made script-safe by scriptSafeJson), the script and the styles. */
export function htmlPage(dataJson: string, { script, style }: Assets): string {
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>sls-play report</title>
<style>${style}</style>
</head>
<body>
<header>
<h1 id="title">sls-play report</h1>
<p id="exit" class="exit"></p>
<dl id="meta"></dl>
</header>
<noscript><p>This report is drawn by its inline script; the run's data is the JSON in the run-data block of this file.</p></noscript>
<main>
<div class="controls"><div id="filters" class="filters" role="group" aria-label="show hosts by status"></div><input id="search" type="search" placeholder="search hosts, steps, messages" aria-label="search"><span id="shown"></span></div>
<section>
<h2>Timeline</h2>
<div id="timeline" class="timeline"><canvas id="timeline-canvas" aria-label="each host's run over time, its steps as coloured segments"></canvas><div id="timeline-spacer"></div></div>
<div id="timeline-tip" hidden></div>
<p class="legend"><span class="l-ok">ok</span><span class="l-changed">changed</span><span class="l-failed">failed</span><span class="l-unreachable">unreachable</span><span class="l-skipped">skipped</span></p>
<p id="timeline-note"></p>
</section>
<section>
<h2>Hosts</h2>
<table id="hosts">
<thead><tr><th data-key="host" scope="col">Host</th><th data-key="status" scope="col">Status</th><th data-key="step" scope="col">Step that failed</th><th data-key="message" scope="col">Message</th><th data-key="duration" scope="col">Duration</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<p id="empty" hidden>No host matches.</p>
</section>
</main>
<script type="application/json" id="run-data">${dataJson}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** The package's version, for documents that do not say which sls-play wrote them. */
function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ??
      'unknown'
    );
  } catch {
    return 'unknown';
  }
}

/** The page data of a document, secrets masked in every string (before serialising and after, as --json). */
export function reportData(doc: RunDocument): PageData {
  const safe = redactValue(doc) as RunDocument;
  const tool = (safe as { tool?: { version?: unknown } }).tool;
  const version = typeof tool?.version === 'string' ? tool.version : packageVersion();
  return pageData(safe, version);
}

/** The report of one run document (merge slices first). Only the data is redacted again: the page's own script and styles hold none. */
export function htmlReport(doc: RunDocument): string {
  return htmlPage(redact(scriptSafeJson(reportData(doc))), loadAssets());
}
