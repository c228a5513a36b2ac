/**
 * Just enough Markdown for the documentation checks: the pages, their links, their headings'
 * anchors as GitHub makes them, and their tables.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** README.md and every page under docs/, except the generated (git-ignored) API reference in docs/api/. */
export function documentationPages(root = REPO): string[] {
  const docs = join(root, 'docs');
  const pages = readdirSync(docs, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.md') && !/^api([/\\]|$)/.test(path))
    .map((path) => join(docs, path));
  return [join(root, 'README.md'), ...pages.sort()];
}

/** The page's lines outside fenced code blocks, with their 1-based line numbers. */
function proseLines(text: string): { line: string; number: number }[] {
  const lines: { line: string; number: number }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const opening = /^\s*(```|~~~)/.exec(line)?.[1];
    if (opening && (fence === undefined || opening === fence)) {
      fence = fence === undefined ? opening : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line, number: i + 1 });
  });
  return lines;
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces made hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*\*|__/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a page offers: one per heading, repeated ones numbered -1, -2… as GitHub numbers them. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const { line } of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  return found;
}

export interface Link {
  target: string;
  line: number;
}

/** Inline links and images outside code (fenced blocks and `code spans`). */
export function links(text: string): Link[] {
  const found: Link[] = [];
  for (const { line, number } of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      found.push({ target: match[1]!, line: number });
  }
  return found;
}

/** What is wrong with each relative link of a page: a missing file or a missing #anchor; web links are not followed. */
export function brokenLinks(page: string, root = REPO): string[] {
  const problems: string[] = [];
  const where = (link: Link) => `${relative(root, page)}:${link.line}: ${link.target}`;
  for (const link of links(readFileSync(page, 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue;
    const [path = '', anchor] = link.target.split('#', 2) as [string, string | undefined];
    const file = path === '' ? page : resolve(dirname(page), decodeURIComponent(path));
    if (relative(join(root, 'docs', 'api'), file).split(/[/\\]/)[0] !== '..') continue;
    if (!existsSync(file)) {
      problems.push(`${where(link)}: no such file`);
      continue;
    }
    if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) continue;
    if (!anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(anchor).toLowerCase()))
      problems.push(`${where(link)}: ${relative(root, file)} has no heading with the anchor #${anchor}`);
  }
  return problems;
}

/** Every table whose header row starts with `firstHeader`: the header cells and the rows' cells. */
export function tables(text: string, firstHeader: string): { header: string[]; rows: string[][]; line: number }[] {
  const found: { header: string[]; rows: string[][]; line: number }[] = [];
  const lines = proseLines(text);
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|'));
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i]!;
    if (!/^\s*\|/.test(header.line) || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1]!.line)) continue;
    const head = cells(header.line);
    if (head[0]?.toLowerCase() !== firstHeader) continue;
    const rows: string[][] = [];
    for (let j = i + 2; j < lines.length && /^\s*\|/.test(lines[j]!.line); j++) rows.push(cells(lines[j]!.line));
    found.push({ header: head, rows, line: header.number });
  }
  return found;
}
