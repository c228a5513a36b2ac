import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { formatKnownHostsLine, matchHostKey, parseKnownHosts } from '../../../src/transport/known_hosts.ts';
import { readKnownHosts, readKnownHostsFiles, recordHostKey } from '../../../src/transport/known_hosts_file.ts';

let dir: string;
let blobA: Buffer;
let blobB: Buffer;

function blob(name: string): Buffer {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  return Buffer.from(readFileSync(join(dir, `${name}.pub`), 'utf8').split(/\s+/)[1]!, 'base64');
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'known-hosts-file-test-'));
  blobA = blob('a');
  blobB = blob('b');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a missing file reads as empty', async () => {
  assert.deepEqual(await readKnownHosts(join(dir, 'nope')), []);
});

test('accept-new: 50 hosts recorded at once give 50 whole lines, in a new directory', async () => {
  const file = join(dir, 'new', '.ssh', 'known_hosts');
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => recordHostKey(file, `127.0.5.${i + 1}`, 2222, i % 2 ? blobA : blobB)),
  );
  assert.ok(results.every((r) => r.status === 'match'));
  const text = readFileSync(file, 'utf8');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 50);
  assert.ok(lines.every((line) => /^\[127\.0\.5\.\d+\]:2222 ssh-ed25519 \S+$/.test(line)));
  const entries = parseKnownHosts(text);
  for (let i = 0; i < 50; i++) {
    assert.equal(matchHostKey(entries, `127.0.5.${i + 1}`, 2222, i % 2 ? blobA : blobB).status, 'match');
  }
  // the reported line numbers are those of the recorded lines
  assert.deepEqual(
    [...results.map((r) => (r.status === 'match' ? r.line : 0))].sort((x, y) => x - y),
    lines.map((_, i) => i + 1),
  );
});

test('the same host recorded twice at once is written once', async () => {
  const file = join(dir, 'twice');
  await Promise.all([recordHostKey(file, 'h', 22, blobA), recordHostKey(file, 'h', 22, blobA)]);
  assert.equal(readFileSync(file, 'utf8').trimEnd().split('\n').length, 1);
});

test('a key that changed meanwhile is refused, never appended', async () => {
  const file = join(dir, 'changed');
  writeFileSync(file, `# keep\nh ssh-ed25519 ${blobA.toString('base64')}`); // no final newline
  const verdict = await recordHostKey(file, 'h', 22, blobB);
  assert.equal(verdict.status, 'mismatch');
  assert.equal(readFileSync(file, 'utf8').split('\n').length, 2);
  const added = await recordHostKey(file, 'other', 22, blobB);
  assert.deepEqual(added, { status: 'match', line: 3 });
  assert.equal(readFileSync(file, 'utf8').split('\n')[2], `other ssh-ed25519 ${blobB.toString('base64')}`);
});

test('the files are read again once they change (an accept-new line, an edit)', async () => {
  const file = join(dir, 'cached');
  writeFileSync(file, formatKnownHostsLine('h1', 22, blobA));
  const first = await readKnownHostsFiles([file]);
  assert.equal(await readKnownHostsFiles([file]), first, 'unchanged: the same entries, not read again');
  await recordHostKey(file, 'h2', 22, blobB);
  const second = await readKnownHostsFiles([file]);
  assert.equal(matchHostKey(second, 'h2', 22, blobB).status, 'match');
  writeFileSync(file, formatKnownHostsLine('h1', 22, blobB));
  assert.equal(matchHostKey(await readKnownHostsFiles([file]), 'h1', 22, blobA).status, 'mismatch');
});
