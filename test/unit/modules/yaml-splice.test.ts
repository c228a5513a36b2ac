import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Document, type YAMLSeq } from 'yaml';
import { detectLayout, editYamlPreserving, YamlSpliceError } from '../../../src/modules/yaml-splice.ts';

/** Runs the edit and returns the new text. */
const edit = (text: string, fn: (doc: Document) => void) => editYamlPreserving(text, fn).text;

/** `edit` of the block list under `key` (a test failure if it is not a list). */
const editList = (text: string, key: string, fn: (list: YAMLSeq, doc: Document) => void) =>
  edit(text, (doc) => {
    const list = doc.get(key, true);
    assert.ok(isSeq(list));
    fn(list, doc);
  });

const scalarAt = (doc: Document, ...path: Array<string | number>) => {
  const node = doc.getIn(path, true);
  assert.ok(isScalar(node));
  return node;
};

const ODD = 'tab: "a\tb"\nesc: "caf\\u00e9 \\x41"\ntwo: "first\n  second"\nfold: >\n  some folded\n  text\n';

test('no change: the same string, not changed', () => {
  const text = `${ODD}n: 1   # c\n`;
  const r = editYamlPreserving(text, () => {});
  assert.equal(r.text, text);
  assert.equal(r.changed, false);
});

test('a changed scalar is replaced alone: its comment, spacing and every other byte stay', () => {
  const text = `${ODD}n:    1   # count\nm: x\n`;
  assert.equal(
    edit(text, (doc) => {
      scalarAt(doc, 'n').value = 2;
    }),
    `${ODD}n:    2   # count\nm: x\n`,
  );
});

test('a scalar keeps its quoting style, or takes the one set', () => {
  const text = `a: 'old'\nb: "old"\nc: old\n`;
  const out = edit(text, (doc) => {
    scalarAt(doc, 'a').value = "it's";
    scalarAt(doc, 'b').value = 'q"uote';
    const c = scalarAt(doc, 'c');
    c.value = 'true';
    c.type = Scalar.QUOTE_DOUBLE;
  });
  assert.equal(out, `a: 'it''s'\nb: "q\\"uote"\nc: "true"\n`);
});

test('an anchored scalar keeps its anchor (aliases follow it); a tag removed by the edit goes', () => {
  const text = 'a: &k old   # x\nb: *k\nc: !!str 12\n';
  const out = edit(text, (doc) => {
    scalarAt(doc, 'a').value = 'new';
    const c = scalarAt(doc, 'c');
    c.value = 'thirteen';
    c.tag = undefined;
  });
  assert.equal(out, 'a: &k new   # x\nb: *k\nc: thirteen\n');
});

test('items appended to block lists and mappings go after the last item, at its indentation', () => {
  const text = `${ODD}list:\n    - one   # first\n    - two\n\n# trailing comment\nmap:\n  k: v\nend: 1\n`;
  const out = edit(text, (doc) => {
    const list = doc.get('list', true);
    const map = doc.get('map', true);
    assert.ok(isSeq(list) && isMap(map));
    list.add(doc.createNode({ name: 'three', n: 3 }));
    map.set('k2', 'v2');
  });
  assert.equal(
    out,
    `${ODD}list:\n    - one   # first\n    - two\n    - name: three\n      n: 3\n\n# trailing comment\nmap:\n  k: v\n  k2: v2\nend: 1\n`,
  );
});

test('CRLF files get CRLF in what is inserted', () => {
  const text = 'a:\r\n  b: 1\r\n';
  const out = edit(text, (doc) => {
    const a = doc.get('a', true);
    assert.ok(isMap(a));
    a.set('c', doc.createNode({ d: [1, 2] }));
  });
  assert.equal(out, 'a:\r\n  b: 1\r\n  c:\r\n    d:\r\n      - 1\r\n      - 2\r\n');
});

test('an empty value gets a scalar on its line, or a block under its key', () => {
  const text = `${ODD}e1:\ne2:   # note\nz: 1\n`;
  const out = edit(text, (doc) => {
    doc.set('e1', 5);
    doc.set('e2', doc.createNode({ x: [1] }));
  });
  assert.equal(out, `${ODD}e1: 5\ne2:   # note\n  x:\n    - 1\nz: 1\n`);
});

test('a flow list that changes is re-printed on its line; a removed block item re-prints that list only', () => {
  const text = `${ODD}flow: [a,  b]   # f\nblock:\n  - x\n  - "y\\ty"\n  - z\nafter: "caf\\u00e9"\n`;
  const out = edit(text, (doc) => {
    const flow = doc.get('flow', true);
    const block = doc.get('block', true);
    assert.ok(isSeq(flow) && isSeq(block));
    flow.items.pop();
    block.items.splice(0, 1);
  });
  assert.equal(out, `${ODD}flow: [a]   # f\nblock:\n  - "y\\ty"\n  - z\nafter: "caf\\u00e9"\n`);
});

test('an empty or absent document gets the new contents after its comments', () => {
  assert.equal(
    edit('# only a comment\n', (doc) => {
      doc.contents = doc.createNode({ a: 1 });
    }),
    '# only a comment\na: 1\n',
  );
  assert.equal(
    edit('', (doc) => {
      doc.contents = doc.createNode({ a: [1] });
    }),
    'a:\n  - 1\n',
  );
  assert.equal(
    edit('{}\n', (doc) => {
      const top = doc.contents;
      assert.ok(isMap(top));
      top.flow = false;
      top.set('a', 1);
    }),
    'a: 1\n',
  );
});

test('text that does not parse throws YamlSpliceError and calls no edit', () => {
  let called = false;
  assert.throws(
    () =>
      editYamlPreserving('a: "open\n', () => {
        called = true;
      }),
    YamlSpliceError,
  );
  assert.equal(called, false);
});

test('new nodes are printed with the indentation and list style of the file', () => {
  const optionsOf = (text: string) => detectLayout(parseDocument(text), text);
  assert.deepEqual(optionsOf('a:\n  b: 1\n  c:\n    - x\n'), {
    indent: 2,
    indentSeq: true,
    lineWidth: 0,
    flowCollectionPadding: false,
  });
  assert.equal(optionsOf('a:\n    b: 1\n').indent, 4);
  assert.equal(optionsOf('a:\n  c:\n  - x\n').indentSeq, false);
  assert.equal(optionsOf('a: [x]\nb: {c: 1}\n').indent, 2); // flow collections say nothing
  assert.deepEqual(optionsOf(''), { indent: 2, indentSeq: true, lineWidth: 0, flowCollectionPadding: false });
});

test('removed block items lose their own lines only; the comments before the next item and every sibling stay', () => {
  const text = `${ODD}list:\n  - keep "a\tb"\n  - drop: me\n    too: yes   # gone with it\n  # about the next one\n  - last\nmap:\n  a: "caf\\u00e9"\n  b: >\n    folded\n  c: 3\n`;
  const out = edit(text, (doc) => {
    const list = doc.get('list', true);
    const map = doc.get('map', true);
    assert.ok(isSeq(list) && isMap(map));
    list.items.splice(1, 1);
    map.delete('b');
  });
  assert.equal(
    out,
    `${ODD}list:\n  - keep "a\tb"\n  # about the next one\n  - last\nmap:\n  a: "caf\\u00e9"\n  c: 3\n`,
  );
});

test('the last item removed and a new one appended in its place', () => {
  const text = 'outputs:\n  - type: stdout\n  - type: old   # x\nnext: 1\n';
  const out = editList(text, 'outputs', (list, doc) => {
    list.items.pop();
    list.add(doc.createNode({ type: 'new' }));
  });
  assert.equal(out, 'outputs:\n  - type: stdout\n  - type: new\nnext: 1\n');
});

test('a list emptied is re-printed as []', () => {
  assert.equal(
    editList('a:\n  - x\nb: 1\n', 'a', (list) => {
      list.items = [];
    }),
    'a: []\nb: 1\n',
  );
});

test('an anchored block list re-printed keeps one anchor, and aliases to it still resolve', () => {
  const text = 'a: &l\n  - x\n  - y\nb: *l\n';
  assert.equal(
    editList(text, 'a', (list) => {
      list.items.reverse();
    }),
    'a: &l\n  - y\n  - x\nb: *l\n',
  );
});

test('an item appended after a keep-chomped block (|+) goes after its blank lines, which belong to it', () => {
  const text = 'outputs:\n  - type: stdout\n    template: |+\n      keep\n\nnext: 1\n';
  assert.equal(
    editList(text, 'outputs', (list, doc) => {
      list.add(doc.createNode({ type: 'mcs' }));
    }),
    'outputs:\n  - type: stdout\n    template: |+\n      keep\n\n  - type: mcs\nnext: 1\n',
  );
});
