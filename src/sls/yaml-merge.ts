/**
 * Reading a field of a YAML mapping as the sensor (Go's YAML) reads it: a field the mapping does
 * not set itself may come from a `<<: *base` merge key (or `<<: [*a, *b]`, earlier ones first),
 * and a value may be an `*alias` of a node anchored elsewhere.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Pair, type YAMLMap } from 'yaml';

/** `<<` parsed with `merge: true` is a Symbol, without it the text "<<". */
export function isMergePair(pair: Pair): boolean {
  const key = pair.key;
  if (!isScalar(key)) return false;
  const value = key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

/** The node an alias stands for (itself when it is not an alias). */
export function resolved(node: unknown, doc: Document | undefined): unknown {
  return isAlias(node) && doc ? node.resolve(doc) : node;
}

/** The mappings a merge pair brings in, in the order they take precedence. */
function mergedMaps(pair: Pair, doc: Document | undefined): YAMLMap[] {
  const value = resolved(pair.value, doc);
  const sources = isSeq(value) ? value.items.map((item) => resolved(item, doc)) : [value];
  return sources.filter((s): s is YAMLMap => isMap(s));
}

/**
 * The node that gives `key` its value: the mapping's own pair first, then merged mappings.
 * `local` says whether it is the mapping's own (editing a merged one would change its source).
 */
export function fieldNode(
  map: YAMLMap,
  key: string,
  doc: Document | undefined,
  depth = 0,
): { node: unknown; local: boolean } | undefined {
  const own = map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
  if (own) return { node: own.value, local: true };
  if (depth > 20) return undefined; // a merge that loops back on itself
  for (const pair of map.items.filter(isMergePair)) {
    for (const source of mergedMaps(pair, doc)) {
      const found = fieldNode(source, key, doc, depth + 1);
      if (found) return { node: found.node, local: false };
    }
  }
  return undefined;
}

/** The plain value of a field (scalars only, aliases followed); undefined when absent. */
export function fieldValue(map: YAMLMap, key: string, doc: Document | undefined): unknown {
  const node = resolved(fieldNode(map, key, doc)?.node, doc);
  return isScalar(node) ? node.value : undefined;
}

export const hasMergeKeys = (map: YAMLMap) => map.items.some(isMergePair);
