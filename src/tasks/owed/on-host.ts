import type { Fact } from '../../remote/facts.ts';
import { stateFilesFact } from '../../remote/state-file.ts';
import { parseRecord, RECORD_GLOB, type OwedEntry } from './record.ts';

/** Every handler any playbook's interrupted run left owed on a host, and the records that cannot be read. */
export interface OwedOnHost {
  owed: Array<OwedEntry & { playbook: string }>;
  problems: string[];
}

/** Reads every owed-handlers record on the host in one command (for read-only audits such as `status`). */
export function owedOnHostFact(dir: string | undefined): Fact<OwedOnHost> {
  const files = stateFilesFact(dir, RECORD_GLOB);
  return {
    command: files.command,
    parse(output, code, stderr) {
      const result: OwedOnHost = { owed: [], problems: [] };
      for (const [path, text] of Object.entries(files.parse(output, code, stderr))) {
        const parsed = parseRecord(text);
        if (parsed.ok) result.owed.push(...parsed.record.owed.map((e) => ({ ...e, playbook: parsed.record.playbook })));
        else
          result.problems.push(
            `the owed-handlers record ${path} is damaged (${parsed.problem}); the next deploy removes it`,
          );
      }
      return result;
    },
  };
}
