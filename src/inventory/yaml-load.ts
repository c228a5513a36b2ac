/**
 * YAML read the way Ansible reads it (PyYAML, YAML 1.1): `yes`/`on` are booleans, `0755` is
 * octal, `1:20` is base 60, `1e3` is a string, dates stay text, duplicate keys keep the last
 * value. The `yaml` package's own 1.1 schema differs in small ways, so the scalar rules are
 * PyYAML's resolvers, copied.
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type ScalarTag, type Tags } from 'yaml';
import { InventoryError } from './types.ts';
import { UnsafeText } from './template/unsafe.ts';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;

function signed(text: string): [number, string] {
  const v = text.replace(/_/g, '');
  if (v[0] === '-') return [-1, v.slice(1)];
  if (v[0] === '+') return [1, v.slice(1)];
  return [1, v];
}

function base60(v: string): number {
  return v.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

const boolTag: ScalarTag = {
  identify: (v) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: BOOL,
  resolve: (s) => /^(?:yes|true|on)$/i.test(s),
};

const floatTag: ScalarTag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: FLOAT,
  resolve(s) {
    const [sign, v] = signed(s.toLowerCase());
    if (v === '.inf') return sign * Infinity;
    if (v === '.nan') return NaN;
    return sign * (v.includes(':') ? base60(v) : Number(v));
  },
};

const intTag: ScalarTag = {
  identify: (v) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: INT,
  resolve(s) {
    const [sign, v] = signed(s);
    if (v === '0') return 0;
    if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
    if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
    if (v[0] === '0') return sign * parseInt(v, 8);
    if (v.includes(':')) return sign * base60(v);
    return sign * Number(v);
  },
};

// Ansible prints vault-encrypted values in this shape when it cannot decrypt them.
const vaultTag: ScalarTag = { tag: '!vault', resolve: (s) => ({ __ansible_vault: s }) };
// Never templated (see template/unsafe.ts).
const unsafeTag: ScalarTag = { tag: '!unsafe', resolve: (s) => new UnsafeText(s) };

const REPLACED = new Set([
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:timestamp',
]);

function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => !(typeof t === 'object' && REPLACED.has(t.tag)));
  return [...kept, boolTag, floatTag, intTag, vaultTag, unsafeTag];
}

export interface LoadedYaml {
  value: unknown;
  /** The 1-based line of the node at a key path, when there is one. */
  lineOf(path: readonly string[]): number | undefined;
  /** A mapping key YAML read as a number (`010:` is 8): its source text and line, by its key path as strings. */
  numericKey(path: readonly string[]): { source: string; line: number } | undefined;
}

/** Every mapping key that YAML typed as a number, by its path of keys as toJS names them. */
function numericKeys(doc: Document.Parsed, lines: LineCounter): Map<string, { source: string; line: number }> {
  const found = new Map<string, { source: string; line: number }>();
  const walk = (node: unknown, path: string[]) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = pair.key;
      const at = [...path, String(key.value)];
      if (typeof key.value === 'number' && key.range)
        found.set(JSON.stringify(at), {
          source: key.source ?? String(key.value),
          line: lines.linePos(key.range[0]).line,
        });
      walk(pair.value, at);
    }
  };
  walk(doc.contents, []);
  return found;
}

export function loadYaml(text: string, file: string): LoadedYaml {
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      version: '1.1',
      customTags: pyyamlTags,
      uniqueKeys: false,
      merge: true,
      lineCounter: lines,
      prettyErrors: false,
    });
  } catch (e) {
    throw new InventoryError(`YAML: ${(e as Error).message}`, file);
  }
  const err = doc.errors[0];
  if (err) {
    // The parser may point at the newline before the offending line; report that line.
    const pos = text[err.pos[0]] === '\n' ? err.pos[0] + 1 : err.pos[0];
    const line = lines.linePos(pos).line;
    throw new InventoryError(
      `YAML syntax error: ${err.message.split('\n')[0]}; fix the file so it is valid YAML`,
      file,
      line,
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: -1 });
  let numeric: Map<string, { source: string; line: number }> | undefined;
  return {
    value,
    numericKey(path) {
      numeric ??= numericKeys(doc, lines);
      return numeric.get(JSON.stringify(path));
    },
    lineOf(path) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      const pos = node?.range?.[0];
      return pos === undefined ? undefined : lines.linePos(pos).line;
    },
  };
}

/** A JSON or YAML vars file: Ansible tries JSON first, then YAML. */
export function loadVarsText(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return loadYaml(text, file).value;
  }
}
