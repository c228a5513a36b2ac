import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './base/package-root.ts';

/**
 * The layout version of the `--json`, `--json-out` and JUnit documents. A new field keeps it;
 * a field removed, renamed or given another meaning raises it, so a CI parser can refuse a
 * document it does not know.
 */
export const REPORT_FORMAT = 1;

/** The tool that wrote a document. */
export interface ToolInfo {
  name: 'sls-play';
  version: string;
}

let version: string | undefined;

/** sls-play's version, from its package.json. */
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

export function toolInfo(): ToolInfo {
  return { name: 'sls-play', version: toolVersion() };
}
