import type { RunReport } from '../runner/types.ts';
import { REPORT_FORMAT, toolInfo } from '../version.ts';
import { redactedJson } from './secrets.ts';

/**
 * The `--json` document of cli.md. Every string is redacted before serialising (JSON escapes a
 * key holding `"` or `\`, which would then no longer match) and the text again after. It opens
 * with the tool and its version and the document's format number (REPORT_FORMAT), for parsers.
 */
export function jsonDocument(report: RunReport): string {
  const { tool: _tool, format: _format, ...rest } = report as RunReport & { tool?: unknown; format?: unknown };
  return redactedJson({ tool: toolInfo(), format: REPORT_FORMAT, ...rest }, 2);
}
