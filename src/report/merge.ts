/**
 * `sls-play report merge`: the documents of a sliced run (`--slice k/n --json-out …`) made into
 * the one document the whole run would have printed, in inventory order, with its summary,
 * so one recap and one exit status can be given for the run.
 */
import { summarise } from '../runner/status.ts';
import type { HostReport } from '../runner/types.ts';
import type { RunDocument } from './run-document.ts';

export interface NamedDocument {
  file: string;
  doc: RunDocument;
}

export class MergeError extends Error {}

const STATUSES = new Set(['ok', 'changed', 'failed', 'unreachable', 'skipped']);

/** Parses one `--json-out` file, refusing anything that is not a run document. */
export function parseRunDocument(text: string, file: string): RunDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MergeError(`${file}: not JSON (${(error as Error).message}); give files written by --json-out`);
  }
  const doc = value as RunDocument;
  const hosts = doc && typeof doc === 'object' ? doc.hosts : undefined;
  if (!hosts || typeof hosts !== 'object' || Array.isArray(hosts))
    throw new MergeError(`${file}: no "hosts" object; give files written by --json-out`);
  for (const [name, host] of Object.entries(hosts)) {
    if (!host || !STATUSES.has(host.status) || !Array.isArray(host.steps))
      throw new MergeError(`${file}: host ${name} has no valid status and steps`);
  }
  return doc;
}

/** Orders the hosts as the unsliced run would have, and says which slices or hosts are missing. */
function inventoryOrder(inputs: NamedDocument[]): string[] | undefined {
  const sliced = inputs.map((i) => i.doc.slice);
  if (sliced.every((s) => s === undefined)) return undefined;
  const first = sliced.find((s) => s !== undefined)!;
  const seen = new Map<number, string>();
  for (const [k, input] of inputs.entries()) {
    const slice = sliced[k];
    if (!slice)
      throw new MergeError(
        `${input.file} is not from a sliced run, but ${inputs.find((i) => i.doc.slice)!.file} is; merge the slices of one run`,
      );
    if (slice.count !== first.count || slice.selected.join('\n') !== first.selected.join('\n')) {
      throw new MergeError(
        `${input.file} (slice ${slice.index}/${slice.count}) is from another run than the other files: its hosts or slice count differ`,
      );
    }
    const other = seen.get(slice.index);
    if (other) throw new MergeError(`slice ${slice.index}/${slice.count} given twice: ${other} and ${input.file}`);
    seen.set(slice.index, input.file);
  }
  const missing = Array.from({ length: first.count }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length)
    throw new MergeError(
      `slice${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${first.count}`).join(', ')} missing: give every slice's --json-out file`,
    );
  return first.selected;
}

export function mergeDocuments(inputs: NamedDocument[]): RunDocument {
  if (inputs.length === 0) throw new MergeError('report merge: name the --json-out files of the slices');
  const from = new Map<string, string>();
  const reports = new Map<string, HostReport>();
  const drift: Record<string, string> = {};
  for (const { file, doc } of inputs) {
    for (const [name, host] of Object.entries(doc.hosts)) {
      const other = from.get(name);
      if (other) throw new MergeError(`host ${name} is in both ${other} and ${file}: merge each slice once`);
      from.set(name, file);
      reports.set(name, host);
    }
    Object.assign(drift, doc.drift ?? {});
  }
  const order = inventoryOrder(inputs) ?? [...reports.keys()];
  if (order.length !== reports.size) {
    const stray = [...reports.keys()].find((name) => !order.includes(name));
    throw new MergeError(
      `host ${stray} (in ${from.get(stray!)}) was not among the hosts the run selected: merge the slices of one run`,
    );
  }
  const hosts: Record<string, HostReport> = {};
  for (const name of order) {
    const host = reports.get(name);
    if (!host) throw new MergeError(`host ${name} was selected but is in none of the files`);
    hosts[name] = host;
  }
  const interrupted = inputs.some((i) => i.doc.interrupted);
  // each slice gated its own batches: their gates, slice after slice
  const gates = inputs.flatMap((i) => i.doc.gates ?? []);
  return {
    hosts,
    summary: summarise(hosts),
    ...(interrupted ? { interrupted: true } : {}),
    ...(gates.length ? { gates } : {}),
    ...(Object.keys(drift).length ? { drift } : {}),
  };
}
