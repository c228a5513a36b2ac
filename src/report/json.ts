import type { RunReport } from '../runner/types.ts';
import { redactedJson } from './secrets.ts';

/**
 * The `--json` document of cli.md. Every string is redacted before serialising (JSON escapes a
 * key holding `"` or `\`, which would then no longer match) and the text again after.
 */
export function jsonDocument(report: RunReport): string {
  return redactedJson(report, 2);
}
