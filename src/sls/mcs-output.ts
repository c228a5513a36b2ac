/**
 * The one `type: mcs` entry of `alert_output.outputs`: added when missing, otherwise updated in
 * place field by field, so the operator's comments, field order and quoting stay as they were.
 */
import { Scalar, YAMLMap, isMap, isScalar, type Document, type YAMLSeq } from 'yaml';

export interface McsWant {
  url: string;
  apiKey: string;
}

export function isMcsOutput(item: unknown): item is YAMLMap {
  return isMap(item) && item.get('type') === 'mcs';
}

function quoted(value: string): Scalar<string> {
  const node = new Scalar(value);
  node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

/** Sets a string field, keeping the existing node (its quoting and comments) when there is one. */
function setString(map: YAMLMap, key: string, value: string): 'added' | 'updated' | 'same' {
  const node = map.get(key, true);
  if (isScalar(node)) {
    // A number-looking key written without quotes is the same key to the sensor.
    if (node.value === value || (typeof node.value === 'number' && String(node.value) === value)) return 'same';
    node.value = value;
    return 'updated';
  }
  map.set(key, quoted(value));
  return node === undefined ? 'added' : 'updated';
}

// The old value is only quoted back when it is plainly a URL: an operator may have pasted the
// key into the wrong field, and messages must never carry a key.
const isPlainUrl = (value: unknown): value is string =>
  typeof value === 'string' && /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(value);

/** Messages never carry the key, only that it changed. */
export function updateMcsOutput(map: YAMLMap, want: McsWant): string[] {
  const changes: string[] = [];
  const enabled = map.get('enabled', true);
  if (isScalar(enabled)) {
    if (enabled.value !== true) {
      const was = enabled.value;
      enabled.value = true;
      enabled.type = Scalar.PLAIN; // `"true"` is a string, not the boolean the sensor wants
      changes.push(was === false ? 'mcs output enabled (it was disabled)' : 'mcs output enabled');
    }
  } else {
    map.set('enabled', true);
    changes.push('mcs output enabled');
  }

  const oldUrl = map.get('url');
  const oldKey = map.get('api_key');
  const keys = [want.apiKey, typeof oldKey === 'string' ? oldKey : ''].filter((k) => k.length > 0);
  const showOld = isPlainUrl(oldUrl) && !keys.some((k) => oldUrl.includes(k));
  const url = setString(map, 'url', want.url);
  if (url === 'added') changes.push('mcs url set');
  if (url === 'updated') changes.push(showOld ? `mcs url updated (was ${oldUrl})` : 'mcs url updated');

  const key = setString(map, 'api_key', want.apiKey);
  if (key === 'added') changes.push('mcs api_key set');
  if (key === 'updated') changes.push('mcs api_key updated');
  return changes;
}

export function newMcsOutput(doc: Document, want: McsWant): YAMLMap {
  const map = doc.createNode({ type: 'mcs', enabled: true }) as YAMLMap;
  map.set('url', quoted(want.url));
  map.set('api_key', quoted(want.apiKey));
  return map;
}

/** Adds the entry to the end of the list; an empty `[]` becomes a block list, as the docs show it. */
export function appendMcsOutput(doc: Document, outputs: YAMLSeq, want: McsWant): void {
  if (outputs.items.length === 0) outputs.flow = false;
  outputs.items.push(newMcsOutput(doc, want));
}
