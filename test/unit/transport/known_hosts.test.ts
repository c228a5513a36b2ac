import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  formatKnownHostsLine,
  hashKnownHostsName,
  keyTypeOfBlob,
  knownHostsName,
  knownKeyTypes,
  matchHostKey,
  parseKnownHosts,
  patternsMatch,
} from '../../../src/transport/known_hosts.ts';

let dir: string;
const keys: Record<string, { line: string; blob: Buffer; type: string }> = {};

function makeKey(name: string, type: string): void {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const [keyType, base64] = line.split(/\s+/);
  keys[name] = { line: `${keyType} ${base64}`, blob: Buffer.from(base64!, 'base64'), type: keyType! };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'known-hosts-test-'));
  makeKey('a', 'ed25519');
  makeKey('b', 'ed25519');
  makeKey('rsa', 'rsa');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('known_hosts parsing', () => {
  test('skips comments, blank lines and unknown markers; keeps markers and line numbers', () => {
    const entries = parseKnownHosts(
      `# comment\n\n  \nhost1,host2 ${keys.a!.line} comment text\n@cert-authority *.example ${keys.b!.line}\n@revoked * ${keys.rsa!.line}\n@bogus x ${keys.a!.line}\nbroken-line\n`,
    );
    assert.equal(entries.length, 3);
    assert.deepEqual(entries[0]!.patterns, ['host1', 'host2']);
    assert.equal(entries[0]!.line, 4);
    assert.equal(entries[0]!.keyType, 'ssh-ed25519');
    assert.equal(entries[1]!.marker, 'cert-authority');
    assert.equal(entries[2]!.marker, 'revoked');
    assert.equal(entries[2]!.line, 6);
  });

  test('names: bare host on port 22, [host]:port otherwise', () => {
    assert.equal(knownHostsName('127.0.3.4', 22), '127.0.3.4');
    assert.equal(knownHostsName('127.0.3.4', 2222), '[127.0.3.4]:2222');
  });

  test('key type is read from the blob', () => {
    assert.equal(keyTypeOfBlob(keys.a!.blob), 'ssh-ed25519');
    assert.equal(keyTypeOfBlob(keys.rsa!.blob), 'ssh-rsa');
  });
});

describe('host patterns', () => {
  test('wildcards, negation, comma lists, [host]:port', () => {
    assert.ok(patternsMatch(['*.example.com'], 'web.example.com'));
    assert.ok(patternsMatch(['web?.example.com'], 'web1.example.com'));
    assert.ok(!patternsMatch(['web?.example.com'], 'web10.example.com'));
    assert.ok(!patternsMatch(['*.example.com', '!db.example.com'], 'db.example.com'));
    assert.ok(patternsMatch(['a', 'b', 'c'], 'b'));
    assert.ok(patternsMatch(['[127.0.3.4]:2222'], '[127.0.3.4]:2222'));
    assert.ok(!patternsMatch(['[127.0.3.4]:2222'], '127.0.3.4'));
    assert.ok(!patternsMatch(['127.0.3.4'], '[127.0.3.4]:2222'));
    assert.ok(patternsMatch(['WEB.example.com'], 'web.example.com'), 'host names are case-insensitive');
  });
});

describe('matching a presented key', () => {
  test('plain entry: match, then changed key of the same type is a mismatch with its line', () => {
    const entries = parseKnownHosts(`other ${keys.b!.line}\n127.0.3.4 ${keys.a!.line}\n`);
    assert.deepEqual(matchHostKey(entries, '127.0.3.4', 22, keys.a!.blob), { status: 'match', line: 2 });
    const changed = matchHostKey(entries, '127.0.3.4', 22, keys.b!.blob);
    assert.deepEqual(changed, { status: 'mismatch', line: 2, revoked: false, storedKeyType: 'ssh-ed25519' });
  });

  test('unknown host, and a host known only by another key type, are unknown', () => {
    const entries = parseKnownHosts(`127.0.3.4 ${keys.rsa!.line}\n`);
    assert.deepEqual(matchHostKey(entries, '127.0.3.5', 22, keys.a!.blob), { status: 'unknown', otherKeyTypes: [] });
    assert.deepEqual(matchHostKey(entries, '127.0.3.4', 22, keys.a!.blob), {
      status: 'unknown',
      otherKeyTypes: ['ssh-rsa'],
    });
    assert.deepEqual(knownKeyTypes(entries, '127.0.3.4', 22), ['ssh-rsa']);
  });

  test('[host]:port entries apply to that port only', () => {
    const entries = parseKnownHosts(`[127.0.3.4]:2222 ${keys.a!.line}\n`);
    assert.equal(matchHostKey(entries, '127.0.3.4', 2222, keys.a!.blob).status, 'match');
    assert.equal(matchHostKey(entries, '127.0.3.4', 22, keys.a!.blob).status, 'unknown');
    assert.equal(matchHostKey(entries, '127.0.3.4', 2200, keys.a!.blob).status, 'unknown');
  });

  test('several keys per host: any stored key matches', () => {
    const entries = parseKnownHosts(`h ${keys.rsa!.line}\nh ${keys.a!.line}\nh ${keys.b!.line}\n`);
    assert.deepEqual(matchHostKey(entries, 'h', 22, keys.b!.blob), { status: 'match', line: 3 });
    assert.deepEqual(matchHostKey(entries, 'h', 22, keys.rsa!.blob), { status: 'match', line: 1 });
  });

  test('a comma list matches each of its names', () => {
    const entries = parseKnownHosts(`web1,127.0.3.4,[127.0.3.4]:2222 ${keys.a!.line}\n`);
    for (const [host, port] of [
      ['web1', 22],
      ['127.0.3.4', 22],
      ['127.0.3.4', 2222],
    ] as const) {
      assert.equal(matchHostKey(entries, host, port, keys.a!.blob).status, 'match', `${host}:${port}`);
    }
  });

  test('@revoked keys are refused even when also listed as trusted', () => {
    const entries = parseKnownHosts(`h ${keys.a!.line}\n@revoked * ${keys.a!.line}\n`);
    assert.deepEqual(matchHostKey(entries, 'h', 22, keys.a!.blob), {
      status: 'mismatch',
      line: 2,
      revoked: true,
      storedKeyType: 'ssh-ed25519',
    });
  });

  test('@cert-authority lines are ignored', () => {
    const entries = parseKnownHosts(`@cert-authority * ${keys.a!.line}\n`);
    assert.equal(matchHostKey(entries, 'h', 22, keys.a!.blob).status, 'unknown');
  });

  test('hashed entries written by ssh-keygen -H match, for port 22 and [host]:port', () => {
    const file = join(dir, 'known_hosts_hashed');
    writeFileSync(file, `127.0.3.4 ${keys.a!.line}\n[127.0.3.4]:2222 ${keys.b!.line}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('127.0.3.4'), 'ssh-keygen hashed the names');
    assert.match(text, /^\|1\|/m);
    const entries = parseKnownHosts(text);
    assert.equal(matchHostKey(entries, '127.0.3.4', 22, keys.a!.blob).status, 'match');
    assert.equal(matchHostKey(entries, '127.0.3.4', 2222, keys.b!.blob).status, 'match');
    assert.equal(matchHostKey(entries, '127.0.3.4', 2222, keys.a!.blob).status, 'mismatch');
    assert.equal(matchHostKey(entries, '127.0.3.5', 22, keys.a!.blob).status, 'unknown');
    // ssh-keygen -F finds the same line by the same hash
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.3.4]:2222', '-f', file], { encoding: 'utf8' });
    assert.ok(found.includes(keys.b!.line.split(' ')[1]!));
  });

  test('hashKnownHostsName reproduces a hash for a given salt', () => {
    const salt = Buffer.alloc(20, 7);
    const hashed = hashKnownHostsName('host', salt);
    assert.ok(patternsMatch([hashed], 'host'));
    assert.ok(!patternsMatch([hashed], 'host2'));
  });

  test('formatKnownHostsLine writes a line that matches back', () => {
    const line = formatKnownHostsLine('127.0.3.4', 2222, keys.a!.blob);
    assert.equal(line, `[127.0.3.4]:2222 ${keys.a!.line}\n`);
    assert.equal(matchHostKey(parseKnownHosts(line), '127.0.3.4', 2222, keys.a!.blob).status, 'match');
  });
});

describe('known_hosts lookups on a big file', () => {
  test('plain names, wildcards, negations and hashes apply in file order, names case-insensitively', () => {
    const hashed = hashKnownHostsName('[web-7]:2222', Buffer.alloc(20, 7));
    const entries = parseKnownHosts(
      [
        `*.example.com,!db.example.com ${keys.rsa!.line}`,
        ...Array.from({ length: 500 }, (_, i) => `[10.0.${Math.floor(i / 250)}.${i % 250}]:2222 ${keys.a!.line}`),
        `WEB.example.com ${keys.b!.line}`,
        `${hashed} ${keys.b!.line}`,
      ].join('\n'),
    );
    assert.deepEqual(matchHostKey(entries, '10.0.1.3', 2222, keys.a!.blob), { status: 'match', line: 255 });
    assert.equal(matchHostKey(entries, '10.0.1.3', 22, keys.a!.blob).status, 'unknown');
    // the wildcard line comes first: its RSA key is the one of that type, the ed25519 line later matches
    assert.deepEqual(knownKeyTypes(entries, 'web.example.com', 22), ['ssh-rsa', 'ssh-ed25519']);
    assert.deepEqual(matchHostKey(entries, 'web.example.com', 22, keys.b!.blob), { status: 'match', line: 502 });
    assert.equal(matchHostKey(entries, 'db.example.com', 22, keys.rsa!.blob).status, 'unknown');
    assert.deepEqual(matchHostKey(entries, 'web-7', 2222, keys.b!.blob), { status: 'match', line: 503 });
    assert.equal(matchHostKey(entries, 'web-7', 2222, keys.a!.blob).status, 'mismatch');
  });
});
