import type { RunReport } from '../runner/types.ts';
import { redact } from './secrets.ts';

/** The `--json` document of cli.md, with every string passed through the redactor. */
export function jsonDocument(report: RunReport): string {
  return redact(JSON.stringify(report, null, 2));
}
