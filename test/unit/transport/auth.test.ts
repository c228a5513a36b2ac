import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadPrivateKeys } from '../../../src/transport/auth.ts';
import { parseKey } from '../../../src/transport/ssh2.ts';

let dir: string;

function keygen(name: string, type: string, passphrase = ''): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-f', file]);
  return file;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('keys sign as ssh2 verifies them (ed25519, ecdsa, rsa with each hash), encrypted ones too', async () => {
  const files = [
    keygen('ed', 'ed25519'),
    keygen('ec', 'ecdsa'),
    keygen('rsa', 'rsa'),
    keygen('locked', 'ed25519', 'open sesame'),
  ];
  const loaded = await loadPrivateKeys(files, [], 'open sesame');
  assert.deepEqual(loaded.problems, []);
  const data = Buffer.from('session id and request');
  for (const { file, key } of loaded.keys) {
    const pub = parseKey(readFileSync(`${file}.pub`));
    assert.ok(!(pub instanceof Error));
    const hashes = key.type === 'ssh-rsa' ? ['sha1', 'sha256', 'sha512'] : [undefined];
    for (const hash of hashes) {
      const signature = key.sign(data, hash);
      assert.ok(Buffer.isBuffer(signature), `${file} ${hash}`);
      assert.equal(pub.verify(data, signature, hash), true, `${file} ${hash}`);
    }
  }
});

test('a key file is read once while unchanged, and again once it changes', async () => {
  const file = keygen('twice', 'ed25519');
  const first = await loadPrivateKeys([file], []);
  const again = await loadPrivateKeys([file], []);
  assert.equal(again.keys[0]!.key, first.keys[0]!.key);
  rmSync(file);
  assert.deepEqual((await loadPrivateKeys([file], [])).problems, [`private key ${file} does not exist`]);
  rmSync(`${file}.pub`);
  keygen('twice', 'ed25519');
  const renewed = await loadPrivateKeys([file], []);
  assert.notEqual(renewed.keys[0]!.key, first.keys[0]!.key);
  assert.notDeepEqual(renewed.keys[0]!.key.getPublicSSH(), first.keys[0]!.key.getPublicSSH());
});

test('a wrong passphrase is reported against its file, whatever was loaded before', async () => {
  const file = keygen('locked2', 'ed25519', 'right');
  assert.equal((await loadPrivateKeys([file], [], 'right')).keys.length, 1);
  assert.deepEqual((await loadPrivateKeys([file], [], 'wrong')).problems, [
    `private key ${file} could not be decrypted: the passphrase is wrong`,
  ]);
});
