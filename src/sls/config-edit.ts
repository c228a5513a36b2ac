/**
 * The edit of the sensor config (`runtimedetections.yaml`): one enabled `mcs` output with the
 * wanted url and api_key, and in a container the certificate lists. Everything else in the file
 * belongs to the operator and is kept byte for byte: only the edited nodes' text is spliced into
 * the file (modules/yaml-splice.ts), so escapes, tabs, folded blocks and spacing elsewhere stay.
 *
 * A file this edit cannot understand is never rewritten: the result is a failure naming the file
 * and line. Several `mcs` outputs are such a case: which one the operator meant to keep (a
 * disabled one may be deliberate) is not ours to guess, so the host fails with their lines.
 *
 * Idempotent: on its own output it reports no change and returns the text unchanged.
 */
import {
  type Document,
  LineCounter,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseDocument,
  visit,
} from 'yaml';
import { editYamlPreserving, YamlSpliceError } from '../modules/yaml-splice.ts';
import { secretSpans } from '../secrets/secret-spans.ts';
import { redact, REDACTED } from '../report/secrets.ts';
import { fixRevocationList, setContainerCerts } from './container-certs.ts';
import { appendMcsOutput, isMcsOutput, UnsafeMcsEdit, updateMcsOutput } from './mcs-output.ts';
import { resolved } from './yaml-merge.ts';

export const SENSOR_CONFIG_PATH = '/etc/sophos/runtimedetections.yaml';

export interface SensorConfigWant {
  url: string;
  apiKey: string;
  deployment: 'package' | 'container';
  certDir: string;
  /** Certificate pairs present in the container's certDir; default 1 and 2. */
  containerPairs?: number[];
}

export type SensorConfigEdit =
  | { ok: true; text: string; changed: boolean; changes: string[] }
  | { ok: false; message: string; line?: number };

const UNTOUCHED = 'fix the file by hand, it was not changed';

// `<<: *base` merge keys are read as the sensor (Go's YAML) reads them.
const PARSE = { merge: true } as const;

class EditError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

function kindOf(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isMap(node)) return 'a mapping';
  if (isScalar(node))
    return node.value === null ? 'empty' : `the value ${typeof node.value === 'string' ? 'text' : String(node.value)}`;
  return 'an alias or unknown node';
}

export function editSensorConfig(
  text: string | null,
  want: SensorConfigWant,
  file: string = SENSOR_CONFIG_PATH,
): SensorConfigEdit {
  const source = text ?? '';
  const lines = new LineCounter();
  const doc: Document = parseDocument(source, { lineCounter: lines, ...PARSE });
  const lineOf = (node: unknown) => (isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined);
  const fail = (message: string, line?: number): SensorConfigEdit => ({
    ok: false,
    message: scrub(`${file}${line ? `:${line}` : ''}: ${message}; ${UNTOUCHED}`, source, want.apiKey),
    ...(line ? { line } : {}),
  });

  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    // yaml's message quotes the offending source line, which may hold the key: keep only the reason.
    const reason = error.message.split(/ at line \d+|\n/)[0] ?? error.code;
    const what =
      error.code === 'MULTIPLE_DOCS'
        ? 'holds more than one YAML document (a second ---)'
        : `YAML syntax error: ${reason}`;
    return fail(what, line);
  }

  try {
    let changes: string[] = [];
    // The edit is made on a fresh parse of the same text, so offsets (and lineOf) are the same.
    const edit = (fresh: Parameters<typeof applyEdit>[0]): void => {
      changes = applyEdit(fresh, want, lineOf);
    };
    const edited = editYamlPreserving(source, edit, { parse: PARSE });
    if (changes.length === 0) return { ok: true, text: source, changed: false, changes };
    return {
      ok: true,
      text: edited.text,
      changed: edited.changed,
      changes: changes.map((c) => scrub(c, source, want.apiKey)),
    };
  } catch (caught) {
    if (caught instanceof EditError) return fail(caught.message, caught.line);
    if (caught instanceof YamlSpliceError) return fail(`cannot be edited in place safely (${caught.message})`);
    throw caught;
  }
}

function applyEdit(doc: Document, want: SensorConfigWant, lineOf: (node: unknown) => number | undefined): string[] {
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    doc.contents = new YAMLMap(doc.schema);
  }
  const top = doc.contents;
  if (!isMap(top)) throw new EditError(`the top level is ${kindOf(top)}, not a mapping of settings`, lineOf(top));
  if (top.items.length === 0) top.flow = false;

  let alertOutput: unknown = top.get('alert_output', true);
  if (alertOutput === undefined || (isScalar(alertOutput) && alertOutput.value === null)) {
    alertOutput = new YAMLMap(doc.schema);
    top.set('alert_output', alertOutput);
  }
  if (!isMap(alertOutput)) {
    throw new EditError(`alert_output is ${kindOf(alertOutput)}, not a mapping`, lineOf(alertOutput));
  }
  if (alertOutput.items.length === 0) alertOutput.flow = false; // `{}` grows into a block, as documented

  let outputs: unknown = alertOutput.get('outputs', true);
  if (outputs === undefined || (isScalar(outputs) && outputs.value === null)) {
    outputs = new YAMLSeq(doc.schema);
    alertOutput.set('outputs', outputs);
  }
  if (!isSeq(outputs)) {
    throw new EditError(`alert_output.outputs is ${kindOf(outputs)}, not a list of outputs`, lineOf(outputs));
  }

  const list = outputs;
  // `- *mcs` counts as the entry it stands for: two outputs naming one entry are still two.
  const mcs = list.items.filter((item) => isMcsOutput(resolved(item, doc), doc));
  if (mcs.length > 1) {
    const at = mcs.map(lineOf).filter((l): l is number => l !== undefined);
    throw new EditError(
      `${mcs.length} mcs outputs${at.length ? ` (lines ${at.join(', ')})` : ''}, the sensor needs exactly one: ` +
        'delete all but the one to keep, then run again',
      at[1],
    );
  }

  const changes: string[] = [];
  const [entry] = mcs;
  if (entry) changes.push(...updateEntry(doc, entry, want, lineOf));
  else {
    appendMcsOutput(doc, outputs, want);
    changes.push('mcs output added');
  }

  if (want.deployment === 'container') {
    const pairs = want.containerPairs ?? [1, 2];
    if (pairs.length === 0) throw new EditError('no certificate pair to reference in mcs_certs');
    changes.push(...setContainerCerts(top, want.certDir, pairs));
  } else {
    changes.push(...fixRevocationList(top));
  }
  return changes;
}

/** Anchors that some `*alias` in the document refers to. */
function sharedAnchors(doc: Document): Set<string> {
  const shared = new Set<string>();
  visit(doc, { Alias: (_, alias) => void shared.add(alias.source) });
  return shared;
}

/**
 * Updates the one mcs entry in place, or fails, changing nothing, when that would change another
 * part of the file: an `*alias` entry (its fields live in the anchored mapping, which may be used
 * elsewhere) or an entry, or field, anchored and used elsewhere.
 */
function updateEntry(
  doc: Document,
  entry: unknown,
  want: SensorConfigWant,
  lineOf: (node: unknown) => number | undefined,
): string[] {
  const shared = sharedAnchors(doc);
  if (isAlias(entry)) {
    const target = resolved(entry, doc);
    throw new EditError(
      `the mcs output is the alias *${entry.source} of the mapping at line ${lineOf(target) ?? '?'}, which cannot be edited here ` +
        'without changing it there too: write the mcs entry out in full under alert_output.outputs (no *alias), then run again',
      lineOf(entry),
    );
  }
  if (isMap(entry) && entry.anchor && shared.has(entry.anchor)) {
    throw new EditError(
      `the mcs output is anchored as &${entry.anchor} and used elsewhere as *${entry.anchor}, so editing it would change that too: ` +
        'write it out in full in both places, then run again',
      lineOf(entry),
    );
  }
  if (!isMap(entry)) return [];
  try {
    return updateMcsOutput(entry, want, doc, shared);
  } catch (error) {
    if (error instanceof UnsafeMcsEdit) throw new EditError(error.message, lineOf(error.node));
    throw error;
  }
}

/** No message may carry a key: the wanted one, any api_key in the file, or a registered secret. */
function scrub(message: string, source: string, apiKey: string): string {
  let out = message;
  // Every api_key in the file, however it is written (secret-spans.ts), as read and as written.
  const spans = source.includes('api_key') ? secretSpans(source, (name) => name === 'api_key') : [];
  const keys = [apiKey, ...spans.flatMap((span) => [span.value, source.slice(span.from, span.to)])];
  for (const key of keys.filter((k) => k.length >= 4).sort((a, b) => b.length - a.length)) {
    out = out.split(key).join(REDACTED);
  }
  return redact(out);
}
