import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { htmlReport } from './html/report.ts';
import { jsonDocument } from './json.ts';
import { junitXml, type JunitOptions } from './junit.ts';
import type { RunDocument } from './run-document.ts';

/** `--json-out`, `--junit` and `--html-out`: files that outlive the terminal, for CI, `report merge` and people. */
export interface ResultFiles {
  jsonOut?: string;
  junit?: string;
  htmlOut?: string;
}

/** A reason the file cannot be written, found before any host is touched; undefined when fine. */
export function resultFileProblem(path: string, option: string): string | undefined {
  const dir = dirname(resolve(path));
  if (!existsSync(dir)) return `${option} ${path}: the directory ${dir} does not exist`;
  if (existsSync(path) && statSync(path).isDirectory()) return `${option} ${path}: is a directory; name a file`;
  return undefined;
}

/** Written whole or not at all (a temporary file, then one rename), and synchronously, so it also works on the way out of a second Ctrl-C. */
function writeWhole(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Writes the requested files; each passes every string through the redactor. */
export function writeResultFiles(files: ResultFiles, doc: RunDocument, junit: JunitOptions): void {
  if (files.jsonOut) writeWhole(files.jsonOut, `${jsonDocument(doc)}\n`);
  if (files.junit) writeWhole(files.junit, junitXml(doc, junit));
  if (files.htmlOut) writeWhole(files.htmlOut, htmlReport(doc));
}
