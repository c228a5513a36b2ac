/**
 * The one `type: mcs` entry of `alert_output.outputs`: added when missing, otherwise updated in
 * place field by field, so the operator's comments, field order and quoting stay as they were.
 *
 * Fields are read as the sensor reads them, through `<<: *base` merge keys and aliases. A field
 * that comes from a merged mapping, or is an alias, is set on the entry itself (the entry's own
 * field wins over a merged one), so the shared mapping is never changed. A node that is anchored
 * and used elsewhere (`&u` … `*u`) is not edited at all: that would change the other place too.
 */
import { Scalar, type YAMLMap, isAlias, isMap, isScalar, type Document, type YAMLSeq } from 'yaml';
import type { McsExtra, McsExtraValue } from './mcs-extra.ts';
import { fieldNode, fieldValue, resolved } from './yaml-merge.ts';

export interface McsWant {
  url: string;
  apiKey: string;
  /** `sls_mcs_extra`: more keys for the entry. */
  extra?: McsExtra;
}

/** Anchors some alias refers to: nodes carrying them are shared and must not be edited in place. */
export type SharedAnchors = ReadonlySet<string>;

/** The entry cannot be updated without changing another part of the file; `node` is where. */
export class UnsafeMcsEdit extends Error {
  constructor(
    message: string,
    readonly node: unknown,
  ) {
    super(message);
  }
}

export function isMcsOutput(item: unknown, doc?: Document): item is YAMLMap {
  return isMap(item) && fieldValue(item, 'type', doc) === 'mcs';
}

function quoted(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

const STR_TAG = 'tag:yaml.org,2002:str';

interface Context {
  doc?: Document;
  shared: SharedAnchors;
}

function assertNotShared(node: Scalar, key: string, ctx: Context): void {
  if (node.anchor && ctx.shared.has(node.anchor)) {
    throw new UnsafeMcsEdit(
      `the mcs ${key} is anchored as &${node.anchor} and used elsewhere as *${node.anchor}, so changing it would change that too: ` +
        `write the value out in both places, then run again`,
      node,
    );
  }
}

/** The value as the sensor reads it: a number-looking key written without quotes is the same key. */
const sameText = (value: unknown, want: string) =>
  value === want || (typeof value === 'number' && String(value) === want);

/** Sets a string field, keeping the entry's own node (its quoting and comments) when there is one. */
function setString(map: YAMLMap, key: string, value: string, ctx: Context): 'added' | 'updated' | 'same' {
  const field = fieldNode(map, key, ctx.doc);
  if (field?.local && isScalar(field.node)) {
    const node = field.node;
    if (sameText(node.value, value) && (node.tag === undefined || node.tag === STR_TAG)) return 'same';
    assertNotShared(node, key, ctx);
    node.value = value;
    // A tag such as !!binary or a custom one would make the sensor read the new text differently.
    if (node.tag !== undefined && node.tag !== STR_TAG) node.tag = undefined;
    if (node.type === Scalar.BLOCK_FOLDED || node.type === Scalar.BLOCK_LITERAL) node.type = Scalar.QUOTE_DOUBLE;
    return 'updated';
  }
  const current = field ? (isAlias(field.node) && ctx.doc ? field.node.resolve(ctx.doc) : field.node) : undefined;
  if (field && !field.local && isScalar(current) && sameText(current.value, value)) return 'same';
  // Absent, merged from a shared mapping, or an alias: the entry gets its own field, which wins.
  map.set(key, quoted(value));
  return field === undefined ? 'added' : 'updated';
}

// The old value is only quoted back when it is plainly a URL: an operator may have pasted the
// key into the wrong field, and messages must never carry a key.
const isPlainUrl = (value: unknown): value is string =>
  typeof value === 'string' && /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(value);

/** Messages never carry the key, only that it changed. */
export function updateMcsOutput(
  map: YAMLMap,
  want: McsWant,
  doc?: Document,
  shared: SharedAnchors = new Set(),
): string[] {
  const ctx: Context = { doc, shared };
  const changes: string[] = [];
  const enabled = fieldNode(map, 'enabled', doc);
  const enabledValue = fieldValue(map, 'enabled', doc);
  if (enabled?.local && isScalar(enabled.node)) {
    if (enabled.node.value !== true) {
      assertNotShared(enabled.node, 'enabled', ctx);
      enabled.node.value = true;
      enabled.node.type = Scalar.PLAIN; // `"true"` is a string, not the boolean the sensor wants
      enabled.node.tag = undefined;
      changes.push(enabledValue === false ? 'mcs output enabled (it was disabled)' : 'mcs output enabled');
    }
  } else if (enabledValue !== true) {
    map.set('enabled', true);
    changes.push(enabledValue === false ? 'mcs output enabled (it was disabled)' : 'mcs output enabled');
  }

  const oldUrl = fieldValue(map, 'url', doc);
  const oldKey = fieldValue(map, 'api_key', doc);
  const keys = [want.apiKey, typeof oldKey === 'string' ? oldKey : ''].filter((k) => k.length > 0);
  const showOld = isPlainUrl(oldUrl) && !keys.some((k) => oldUrl.includes(k));
  const url = setString(map, 'url', want.url, ctx);
  if (url === 'added') changes.push('mcs url set');
  if (url === 'updated') changes.push(showOld ? `mcs url updated (was ${oldUrl})` : 'mcs url updated');

  const key = setString(map, 'api_key', want.apiKey, ctx);
  if (key === 'added') changes.push('mcs api_key set');
  if (key === 'updated') changes.push('mcs api_key updated');

  // The extra keys' values are never quoted back: some are secret, and the key names say enough.
  for (const [name, value] of Object.entries(want.extra?.values ?? {})) {
    const done = setValue(map, name, value, ctx);
    if (done !== 'same') changes.push(`mcs ${name} ${done === 'added' ? 'set' : 'updated'}`);
  }
  return changes;
}

/** A text, number or boolean field: text keeps setString's quoting; the others are written plain. */
function setValue(map: YAMLMap, key: string, value: McsExtraValue, ctx: Context): 'added' | 'updated' | 'same' {
  if (typeof value === 'string') return setString(map, key, value, ctx);
  const field = fieldNode(map, key, ctx.doc);
  const current = resolved(field?.node, ctx.doc);
  if (field && isScalar(current) && current.value === value) return 'same';
  if (field?.local && isScalar(field.node)) {
    assertNotShared(field.node, key, ctx);
    field.node.value = value;
    field.node.type = Scalar.PLAIN;
    field.node.tag = undefined;
    return 'updated';
  }
  map.set(key, value);
  return field === undefined ? 'added' : 'updated';
}

export function newMcsOutput(doc: Document, want: McsWant): YAMLMap {
  const map = doc.createNode({ type: 'mcs', enabled: true }) as YAMLMap;
  map.set('url', quoted(want.url));
  map.set('api_key', quoted(want.apiKey));
  for (const [name, value] of Object.entries(want.extra?.values ?? {}))
    map.set(name, typeof value === 'string' ? quoted(value) : value);
  return map;
}

/** Adds the entry to the end of the list; an empty `[]` becomes a block list, as the docs show it. */
export function appendMcsOutput(doc: Document, outputs: YAMLSeq, want: McsWant): void {
  if (outputs.items.length === 0) outputs.flow = false;
  outputs.items.push(newMcsOutput(doc, want));
}
