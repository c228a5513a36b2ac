import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineCounter, parseDocument } from 'yaml';
import { keepOriginalSpelling, layoutOptions, sameData } from '../../../src/sls/yaml-layout.ts';

function optionsOf(text: string) {
  const lines = new LineCounter();
  return layoutOptions(parseDocument(text, { lineCounter: lines }), lines);
}

test('layoutOptions reads the indentation width and list style of the file', () => {
  assert.deepEqual(optionsOf('a:\n  b: 1\n  c:\n    - x\n'), { indent: 2, indentSeq: true, lineWidth: 0, flowCollectionPadding: false });
  assert.equal(optionsOf('a:\n    b: 1\n').indent, 4);
  assert.equal(optionsOf('a:\n  c:\n  - x\n').indentSeq, false);
  assert.equal(optionsOf('a: [x]\nb: {c: 1}\n').indent, 2); // flow collections say nothing
  assert.deepEqual(optionsOf(''), { indent: 2, indentSeq: true, lineWidth: 0, flowCollectionPadding: false });
});

test('keepOriginalSpelling puts back lines that differ only in whitespace', () => {
  const before = 'a: 1   # one\nb:    2\nc: [ x, y ]\n';
  const after = 'a: 1 # one\nb: 2\nc: [x, y]\nd: 4\n';
  assert.equal(keepOriginalSpelling(before, after), 'a: 1   # one\nb:    2\nc: [ x, y ]\nd: 4\n');
});

test('keepOriginalSpelling keeps the gap before the comment of a changed line', () => {
  const before = 'k:\n  url: "https://old"    # tenant A\n  other: 1\n';
  const after = 'k:\n  url: "https://new" # tenant A\n  other: 1\n  added: 2\n';
  assert.equal(keepOriginalSpelling(before, after), 'k:\n  url: "https://new"    # tenant A\n  other: 1\n  added: 2\n');
});

test('keepOriginalSpelling puts a comment after "key:" back on its line', () => {
  const before = 'list:   # from the guide\n  - a\n';
  const after = 'list:\n  # from the guide\n  - b\n';
  assert.equal(keepOriginalSpelling(before, after), 'list:   # from the guide\n  - b\n');
  // A comment that really was on its own line stays there.
  assert.equal(keepOriginalSpelling('list:\n  # own line\n  - a\n', 'list:\n  # own line\n  - b\n'), 'list:\n  # own line\n  - b\n');
});

test('keepOriginalSpelling handles CRLF input and a change of length', () => {
  assert.equal(keepOriginalSpelling('a:  1\r\nb: 2\r\n', 'a: 1\nb: 3\nc: 4\n'), 'a:  1\nb: 3\nc: 4\n');
});

test('sameData compares meaning, not spelling, and refuses broken YAML', () => {
  assert.equal(sameData('a:   1  # x\n', "a: 1\n"), true);
  assert.equal(sameData('a: "x  y"\n', 'a: "x y"\n'), false);
  assert.equal(sameData('a: [1\n', 'a: [1]\n'), false);
});
