/**
 * Editing a YAML file through the `yaml` Document API while keeping every byte the edit did not
 * touch. Re-printing a whole Document respells what it did not change (a literal tab in a quoted
 * string becomes `\t`, `"caf\u00e9"` becomes `"café"`, a two-line quoted string is joined, a
 * folded `>` block re-flowed), and operators review these diffs line by line. So the edited
 * Document is compared with the one parsed, and only the nodes that differ are printed and
 * spliced into the original text at their source ranges:
 *
 * - a scalar or alias whose value or style changed: its own text (from its anchor/tag to its end);
 * - items appended to a block mapping or list: inserted after its last item, at its indentation;
 * - anything else (items removed or replaced, a flow collection that grew): the smallest
 *   enclosing collection, or `key: value` pair, that can be printed on its own.
 *
 * The result is parsed again and must mean exactly what the edited Document means; if it does
 * not (a case this splicing cannot express), YamlSpliceError is thrown and nothing is written.
 */
import {
  Document,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type DocumentOptions,
  type Node,
  type Pair,
  type ParseOptions,
  type SchemaOptions,
  type ToStringOptions,
} from 'yaml';

export interface YamlEditResult {
  /** The original text with only the edited nodes' text replaced (the same string when nothing changed). */
  text: string;
  changed: boolean;
}

export interface YamlEditOptions {
  /** Passed to `parseDocument` (e.g. `{ merge: true }` for `<<` merge keys). */
  parse?: ParseOptions & DocumentOptions & SchemaOptions;
  /** How new or re-printed nodes are printed; by default the file's own indentation, no line folding. */
  layout?: ToStringOptions;
}

/** The text does not parse, or the edit cannot be spliced without changing what else the file means. */
export class YamlSpliceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlSpliceError';
  }
}

/**
 * Parses `text`, lets `edit` change the Document, and returns `text` with only the changed
 * nodes' text replaced. `edit` may change scalars in place, replace values, append, remove or
 * reorder items; comments it does not touch stay where they are.
 *
 * @throws YamlSpliceError when the text has YAML errors, or the splice would mean something
 *   other than the edited Document (then nothing should be written).
 */
export function editYamlPreserving(
  text: string,
  edit: (doc: Document) => void,
  options: YamlEditOptions = {},
): YamlEditResult {
  const doc = parseDocument(text, options.parse);
  if (doc.errors.length > 0)
    throw new YamlSpliceError(`not valid YAML: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
  const before = snapshot(doc);
  const oldContents = doc.contents;
  edit(doc);
  const layout = { ...detectLayout(doc, text), ...options.layout };
  const splicer = new Splicer(text, doc, before, layout);
  splicer.contents(oldContents);
  const out = splicer.apply();
  if (out === text) return { text, changed: false };
  const check = parseDocument(out, options.parse);
  if (check.errors.length > 0 || JSON.stringify(check.toJS()) !== JSON.stringify(doc.toJS())) {
    throw new YamlSpliceError('the edit cannot be made in place without changing other parts of the file');
  }
  return { text: out, changed: true };
}

/** The file's indentation habits: how far a nested mapping is indented, and whether lists are. */
export function detectLayout(doc: Document, text: string): ToStringOptions {
  let indent: number | undefined;
  let indentSeq: boolean | undefined;
  const visitPairs = (node: unknown) => {
    if (!isCollection(node)) return;
    for (const item of node.items) {
      if (!isPair(item)) {
        visitPairs(item);
        continue;
      }
      const { key, value } = item;
      visitPairs(value);
      if (
        !isScalar(key) ||
        !key.range ||
        !(isMap(value) || isSeq(value)) ||
        value.flow ||
        !value.range ||
        value.items.length === 0
      )
        continue;
      if (lineStart(text, key.range[0]) === lineStart(text, value.range[0])) continue;
      const shift = column(text, value.range[0]) - column(text, key.range[0]);
      if (isMap(value) && indent === undefined && shift > 0) indent = shift;
      if (isSeq(value) && indentSeq === undefined) indentSeq = shift > 0;
    }
  };
  visitPairs(doc.contents);
  // Never fold long lines (templates, URLs); print flow lists as `[a, b]`, as people write them.
  return { indent: indent ?? 2, indentSeq: indentSeq ?? true, lineWidth: 0, flowCollectionPadding: false };
}

// ---- what the Document looked like before the edit -------------------------------------------

interface Snap {
  value?: unknown;
  type?: string;
  source?: string;
  tag?: string;
  anchor?: string;
  comment?: string | null;
  flow?: boolean;
  items?: unknown[];
  /** For each item that is a pair: its key and value then. */
  pairs?: Array<{ key: unknown; value: unknown } | undefined>;
}

function snapshot(doc: Document): Map<unknown, Snap> {
  const snaps = new Map<unknown, Snap>();
  const walk = (node: unknown) => {
    if (!isNode(node)) return;
    const common = { tag: node.tag, anchor: (node as { anchor?: string }).anchor, comment: node.comment ?? null };
    if (isScalar(node)) snaps.set(node, { ...common, value: node.value, type: node.type });
    else if (isAlias(node)) snaps.set(node, { ...common, source: node.source });
    else if (isCollection(node)) {
      const items = [...node.items];
      snaps.set(node, {
        ...common,
        flow: Boolean(node.flow),
        items,
        pairs: items.map((item) => (isPair(item) ? { key: item.key, value: item.value } : undefined)),
      });
      for (const item of items) {
        if (isPair(item)) {
          walk(item.key);
          walk(item.value);
        } else walk(item);
      }
    }
  };
  walk(doc.contents);
  return snaps;
}

// ---- positions in the original text -----------------------------------------------------------

const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
const column = (text: string, offset: number) => offset - lineStart(text, offset);

/** Back over trailing spaces and line breaks: a range may end after the newline that follows it. */
function trimEnd(text: string, start: number, end: number): number {
  let p = end;
  while (p > start && /\s/.test(text[p - 1] ?? '')) p--;
  return p;
}

/** Where a node's text starts, including its anchor and tag (which `range` leaves out). */
function propsStart(text: string, node: Node): number {
  const start = node.range?.[0] ?? 0;
  const anchor = (node as { anchor?: string }).anchor;
  let wantAnchor = Boolean(anchor);
  let wantTag = node.tag !== undefined; // a parsed node carries a tag only when the source wrote one
  let p = start;
  while (wantAnchor || wantTag) {
    let j = p;
    while (j > 0 && /[ \t\r\n]/.test(text[j - 1] ?? '')) j--;
    let k = j;
    while (k > 0 && !/[\s,[{]/.test(text[k - 1] ?? '')) k--;
    const token = text.slice(k, j);
    if (wantAnchor && token === `&${anchor}`) wantAnchor = false;
    else if (wantTag && token.startsWith('!')) wantTag = false;
    else break;
    p = k;
  }
  return p;
}

// ---- printing nodes on their own --------------------------------------------------------------

/** Thrown inside the splicer when a node cannot be printed where it is; its parent is re-printed. */
class Redo extends Error {}

interface Splice {
  from: number;
  to: number;
  text: string;
}

type Where =
  | { kind: 'top' }
  | { kind: 'value'; pair: Pair; parent: YAMLMap }
  | { kind: 'key'; pair: Pair; parent: YAMLMap }
  | { kind: 'item'; parent: YAMLSeq };

class Splicer {
  readonly splices: Splice[] = [];
  readonly eol: string;

  constructor(
    readonly text: string,
    readonly doc: Document,
    readonly before: Map<unknown, Snap>,
    readonly layout: ToStringOptions,
  ) {
    this.eol = /\r\n/.test(text) ? '\r\n' : '\n';
  }

  apply(): string {
    // From the end backwards, so earlier offsets stay valid. Insertions at one offset are applied
    // last-made first, so they end up in the order they were made (a nested item before the
    // parent's next key).
    const sorted = this.splices
      .map((s, i) => ({ ...s, i }))
      .sort((a, b) => b.from - a.from || b.to - a.to || b.i - a.i);
    let out = this.text;
    let limit = Infinity;
    for (const s of sorted) {
      if (s.to > limit) throw new YamlSpliceError('overlapping edits');
      out = out.slice(0, s.from) + s.text + out.slice(s.to);
      limit = s.from;
    }
    return out;
  }

  /** The whole document's contents, replaced or edited. */
  contents(oldContents: unknown): void {
    const now = this.doc.contents;
    if (now === oldContents) {
      if (now === null) return;
      this.tryOrRedo(
        () => this.node(now, { kind: 'top' }),
        () => this.reprintTop(now, now),
      );
      return;
    }
    this.reprintTop(oldContents, now);
  }

  private reprintTop(old: unknown, now: unknown): void {
    const printed = now === null ? '' : this.print(now as Node);
    if (isNode(old) && old.range && !(isScalar(old) && old.value === null && old.range[0] === old.range[1])) {
      const from = propsStart(this.text, this.originalPropsOf(old));
      if (column(this.text, from) !== 0 && /\n/.test(printed))
        throw new YamlSpliceError('cannot re-print the top level where it starts');
      this.splices.push({ from, to: trimEnd(this.text, from, old.range[1]), text: this.lines(printed) });
      return;
    }
    const at = this.text.length;
    const gap = this.endGap();
    this.splices.push({ from: at, to: at, text: `${gap}${this.lines(printed)}${this.eol}` });
  }

  private endGapGiven = false;

  /** The line break a file without a final one needs before the first text added at its end. */
  private endGap(): string {
    if (this.endGapGiven || this.text.length === 0 || this.text.endsWith('\n')) return '';
    this.endGapGiven = true;
    return this.eol;
  }

  /** Runs `attempt`; if it cannot be spliced, drops its splices and runs `fallback`. */
  private tryOrRedo(attempt: () => void, fallback: () => void): void {
    const mark = this.splices.length;
    const gapGiven = this.endGapGiven;
    try {
      attempt();
    } catch (error) {
      if (!(error instanceof Redo)) throw error;
      this.splices.length = mark;
      this.endGapGiven = gapGiven;
      fallback();
    }
  }

  private node(node: unknown, where: Where): void {
    const snap = this.before.get(node);
    if (!snap || !isNode(node) || !node.range) throw new Redo();
    if (isScalar(node) || isAlias(node)) {
      const same = isScalar(node) ? snap.value === node.value && snap.type === node.type : snap.source === node.source;
      if (same && snap.tag === node.tag && snap.anchor === node.anchor && snap.comment === (node.comment ?? null))
        return;
      if (snap.comment !== (node.comment ?? null)) throw new Redo();
      this.replaceInline(node);
      return;
    }
    if (!isCollection(node)) throw new Redo();
    this.tryOrRedo(
      () => this.collection(node as YAMLMap | YAMLSeq, snap),
      () => this.reprintCollection(node as YAMLMap | YAMLSeq, snap, where),
    );
  }

  /** A collection edited item by item: changed items spliced, removed ones cut, new ones appended. */
  private collection(node: YAMLMap | YAMLSeq, snap: Snap): void {
    const old = snap.items ?? [];
    const now = node.items as unknown[];
    const propsSame =
      snap.flow === Boolean(node.flow) &&
      snap.tag === node.tag &&
      snap.anchor === node.anchor &&
      snap.comment === (node.comment ?? null);
    if (!propsSame) throw new Redo();
    // `now` must be old items in their old order (some removed), then new items.
    const wasThere = new Set(old);
    let keptCount = 0;
    while (keptCount < now.length && wasThere.has(now[keptCount])) keptCount++;
    const kept = now.slice(0, keptCount);
    const added = now.slice(keptCount);
    if (added.some((item) => wasThere.has(item))) throw new Redo();
    const oldIndex = kept.map((item) => old.indexOf(item));
    if (oldIndex.some((index, k) => k > 0 && index <= (oldIndex[k - 1] ?? -1))) throw new Redo();
    const removed = old.map((item, i) => ({ item, i })).filter(({ item }) => !kept.includes(item));
    if (removed.length > 0 && (node.flow || kept.length === 0)) throw new Redo();

    kept.forEach((item, k) => {
      const i = oldIndex[k] ?? -1;
      if (isPair(item)) {
        const was = snap.pairs?.[i];
        if (!was || !isMap(node)) throw new Redo();
        this.pair(item, was, node);
      } else this.node(item, { kind: 'item', parent: node as YAMLSeq });
    });
    for (const { item, i } of removed) this.cut(item, snap.pairs?.[i]);
    if (added.length > 0) {
      const lastIndex = oldIndex[oldIndex.length - 1] ?? -1;
      this.append(node, old[0], old[lastIndex], snap.pairs?.[lastIndex], added);
    }
  }

  /** Where an item's text starts: a pair's key (with its props), a list item's own node. */
  private itemStart(item: unknown): number | undefined {
    const node = isPair(item) ? item.key : item;
    return isNode(node) && node.range ? propsStart(this.text, this.originalPropsOf(node)) : undefined;
  }

  /** Where an item's text ends, from the nodes it had before the edit. */
  private itemEnd(item: unknown, was: { key: unknown; value: unknown } | undefined): number | undefined {
    if (isPair(item)) {
      const k = isNode(was?.key) ? was.key.range?.[1] : undefined;
      const v = isNode(was?.value) ? was.value.range?.[1] : undefined;
      return k === undefined ? undefined : Math.max(k, v ?? k);
    }
    return isNode(item) ? item.range?.[1] : undefined;
  }

  /** The end of the line holding `offset` (after its line break), or the end of the text. */
  private lineAfter(from: number, offset: number): number {
    const nl = this.text.indexOf('\n', trimEnd(this.text, from, offset));
    return nl < 0 ? this.text.length : nl + 1;
  }

  /**
   * A last value that is a block scalar with keep chomping (`|+`) owns the blank lines after it:
   * what follows goes after them, or the value would lose its trailing line breaks.
   */
  private keptBlockEnd(item: unknown, was: { key: unknown; value: unknown } | undefined): number | undefined {
    let node: unknown = isPair(item) ? was?.value : item;
    while (isCollection(node) && !node.flow && node.items.length > 0) {
      const lastItem = node.items[node.items.length - 1];
      node = isPair(lastItem) ? lastItem.value : lastItem;
    }
    if (!isScalar(node) || !node.range || (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED'))
      return undefined;
    const header = /^[|>][1-9]?([-+])?[1-9]?/.exec(this.text.slice(node.range[0]))?.[1];
    return header === '+' && this.text[node.range[1] - 1] === '\n' ? node.range[1] : undefined;
  }

  /** A removed block item: its lines are cut (comment lines before the next item stay). */
  private cut(item: unknown, was: { key: unknown; value: unknown } | undefined): void {
    const start = this.itemStart(item);
    const end = this.itemEnd(item, was);
    if (start === undefined || end === undefined) throw new Redo();
    const from = lineStart(this.text, start);
    const lead = this.text.slice(from, start);
    // A list item's "- " goes with it; anything else before it on the line belongs to its parent.
    if (!/^[ \t]*(?:-[ \t]+)?$/.test(lead)) throw new Redo();
    if (!isPair(item) && !/-[ \t]+$/.test(lead)) throw new Redo();
    if (isPair(item) && /-/.test(lead)) throw new Redo();
    const to = this.lineAfter(start, end);
    if (to < end) throw new Redo();
    this.splices.push({ from, to, text: '' });
  }

  private pair(pair: Pair, was: { key: unknown; value: unknown }, parent: YAMLMap): void {
    this.tryOrRedo(
      () => {
        if (pair.key !== was.key) throw new Redo();
        this.node(pair.key, { kind: 'key', pair, parent });
        if (pair.value === was.value) {
          if (pair.value !== null) this.node(pair.value, { kind: 'value', pair, parent });
          return;
        }
        this.replaceValue(pair, was.value);
      },
      () => this.reprintPair(pair, was, parent),
    );
  }

  /** A pair's value replaced by another node. */
  private replaceValue(pair: Pair, oldValue: unknown): void {
    const now = pair.value;
    const printed = now === null ? '' : this.print(now as Node);
    if (!printed.includes('\n') && isNode(oldValue) && oldValue.range) {
      const isEmpty = isScalar(oldValue) && oldValue.value === null && oldValue.range[0] === oldValue.range[1];
      if (isEmpty) {
        const colon = this.colonAfterKey(pair);
        this.splices.push({ from: colon, to: colon, text: printed ? ` ${printed}` : '' });
      } else {
        const from = propsStart(this.text, oldValue);
        this.splices.push({ from, to: oldValue.range[1], text: printed });
      }
      return;
    }
    if (
      (isMap(oldValue) || isSeq(oldValue)) &&
      !oldValue.flow &&
      oldValue.items.length > 0 &&
      oldValue.range &&
      !(isCollection(now) && now.flow)
    ) {
      this.replaceBlock(oldValue as Node, printed);
      return;
    }
    throw new Redo();
  }

  private colonAfterKey(pair: Pair): number {
    const key = pair.key;
    if (!isNode(key) || !key.range) throw new Redo();
    const m = /^[ \t]*:/.exec(this.text.slice(key.range[1]));
    if (!m) throw new Redo();
    return key.range[1] + m[0].length;
  }

  /** `key: value` printed anew where it was (a block value in place of a flow or empty one). */
  private reprintPair(pair: Pair, was: { key: unknown; value: unknown }, parent: YAMLMap): void {
    const oldKey = was.key;
    if (parent.flow || !isNode(oldKey) || !oldKey.range) throw new Redo();
    const from = propsStart(this.text, oldKey);
    const oldValue = was.value;
    const end = isNode(oldValue) && oldValue.range ? Math.max(oldValue.range[1], oldKey.range[1]) : oldKey.range[1];
    const single = new YAMLMap(this.doc.schema);
    const copy = pair.clone();
    if (isNode(copy.key)) {
      copy.key.commentBefore = undefined;
      copy.key.spaceBefore = false;
    }
    single.items = [copy];
    const printed = this.print(single);
    const col = column(this.text, from);
    const [head, ...rest] = printed.split('\n');
    const emptyBefore = isScalar(oldValue) && oldValue.value === null && oldValue.range?.[0] === oldValue.range?.[1];
    if (
      emptyBefore &&
      rest.length > 0 &&
      pair.key === oldKey &&
      head === `${this.text.slice(from, oldKey.range[1])}:`
    ) {
      // `key:` and whatever follows on its line (a comment) stay; the value goes on the lines below.
      const nl = this.text.indexOf('\n', this.colonAfterKey(pair));
      const at = nl < 0 ? this.text.length : nl + 1;
      const body = rest.map((line) => (line ? ' '.repeat(col) + line : line)).join(this.eol);
      this.splices.push({ from: at, to: at, text: `${nl < 0 ? this.endGap() : ''}${body}${this.eol}` });
      return;
    }
    this.splices.push({ from, to: trimEnd(this.text, from, end), text: this.indentRest(printed, col) });
  }

  private reprintCollection(node: YAMLMap | YAMLSeq, snap: Snap, where: Where): void {
    if (!node.range) throw new Redo();
    const printed = this.print(node);
    const wasBlock = !snap.flow && (snap.items?.length ?? 0) > 0;
    if (wasBlock && !printed.includes('\n') && where.kind === 'value') {
      // a block that became one line (`[]`) goes back up beside its key, if only spaces are between
      const colon = this.colonAfterKey(where.pair);
      const from = propsStart(this.text, node);
      if (/^\s*$/.test(this.text.slice(colon, from))) {
        this.splices.push({ from: colon, to: trimEnd(this.text, from, node.range[1]), text: ` ${printed}` });
        return;
      }
    }
    if (wasBlock) {
      this.replaceBlock(node, printed);
      return;
    }
    if (!printed.includes('\n')) {
      const from = propsStart(this.text, node);
      this.splices.push({ from, to: node.range[1], text: printed });
      return;
    }
    if (where.kind === 'top' && column(this.text, propsStart(this.text, node)) === 0) {
      const from = propsStart(this.text, node);
      this.splices.push({ from, to: trimEnd(this.text, from, node.range[1]), text: this.lines(printed) });
      return;
    }
    throw new Redo();
  }

  /** Replaces a block collection's text (from its first item) with `printed`, at its column. */
  private replaceBlock(old: Node, printed: string): void {
    if (!old.range) throw new Redo();
    // Props of a block collection sit before it (`key: &a` on the line above): they are replaced
    // too, and `printed` starts with the new ones (`&a` then the items on the lines below).
    const from = propsStart(this.text, this.originalPropsOf(old));
    const to = trimEnd(this.text, from, old.range[1]);
    this.splices.push({ from, to, text: this.indentRest(printed, column(this.text, old.range[0])) });
  }

  /** New items after the last (kept) one of a block collection, at the same indentation. */
  private append(
    node: YAMLMap | YAMLSeq,
    first: unknown,
    last: unknown,
    lastWas: { key: unknown; value: unknown } | undefined,
    added: unknown[],
  ): void {
    if (node.flow || first === undefined || last === undefined || !node.range) throw new Redo();
    // Items line up with the first one: a mapping's first key, a list's first "-".
    const start = isMap(node) ? this.itemStart(first) : node.range[0];
    const end = this.itemEnd(last, lastWas);
    if (start === undefined || end === undefined) throw new Redo();
    const col = column(this.text, start);
    const fresh = isMap(node) ? new YAMLMap(this.doc.schema) : new YAMLSeq(this.doc.schema);
    fresh.items = added as never[];
    const printed = this.print(fresh)
      .split('\n')
      .map((line) => (line ? ' '.repeat(col) + line : line))
      .join(this.eol);
    const at = this.keptBlockEnd(last, lastWas) ?? this.lineAfter(start, end);
    const gap = at === this.text.length && !this.text.endsWith('\n') ? this.endGap() : '';
    this.splices.push({ from: at, to: at, text: `${gap}${printed}${this.eol}` });
  }

  /** A scalar or alias replaced in place, on one line. */
  private replaceInline(node: Node): void {
    if (!node.range) throw new Redo();
    const snap = this.before.get(node);
    // Unchanged props (`!!str &a`) stay as written, in their order; changed ones are printed anew.
    const keepProps =
      snap !== undefined && snap.anchor === (node as { anchor?: string }).anchor && snap.tag === node.tag;
    const printed = this.print(node, { withoutProps: keepProps });
    if (printed.includes('\n')) throw new Redo();
    const from = keepProps ? node.range[0] : propsStart(this.text, this.originalPropsOf(node));
    // An empty value (`key:`) has an empty range right after the colon: `key:5` would be a key.
    const gap = from === node.range[1] && printed && !/\s/.test(this.text[from - 1] ?? ' ') ? ' ' : '';
    // A block scalar's range runs over its final line break, which belongs to the line and stays.
    this.splices.push({ from, to: trimEnd(this.text, from, node.range[1]), text: gap + printed });
  }

  // propsStart looks for the anchor and tag the source wrote, i.e. the ones before the edit.
  private originalPropsOf(node: Node): Node {
    const snap = this.before.get(node);
    const view = Object.create(node) as Node & { anchor?: string };
    Object.defineProperty(view, 'anchor', { value: snap?.anchor });
    Object.defineProperty(view, 'tag', { value: snap?.tag });
    return view;
  }

  /** A node printed on its own, without the comment before it (which stays in the text). */
  private print(node: Node, opts: { withoutProps?: boolean } = {}): string {
    const copy = isNode(node) ? (node.clone() as Node) : node;
    if (isNode(copy) && opts.withoutProps) {
      (copy as { anchor?: string }).anchor = undefined;
      copy.tag = undefined;
    }
    if (isNode(copy)) {
      copy.commentBefore = undefined;
      copy.spaceBefore = false;
      // A comment after a one-line node lies beyond its range and stays in the text.
      if (isScalar(copy) || isAlias(copy) || (isCollection(copy) && copy.flow)) copy.comment = undefined;
    }
    const fragment = new Document();
    fragment.schema = this.doc.schema;
    fragment.contents = copy as Node;
    // An alias in the fragment names an anchor elsewhere in the file, so its order is not checked here.
    return fragment.toString({ ...this.layout, verifyAliasOrder: false }).replace(/\n$/, '');
  }

  private indentRest(printed: string, col: number): string {
    return printed
      .split('\n')
      .map((line, i) => (i === 0 || !line ? line : ' '.repeat(col) + line))
      .join(this.eol);
  }

  private lines(printed: string): string {
    return printed.split('\n').join(this.eol);
  }
}
