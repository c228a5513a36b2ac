import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSshArgs, splitShellWords } from '../../../src/transport/ssh_args.ts';
import { expandPath, lookupSshConfig, parseProxyJump, parseSshConfig } from '../../../src/transport/ssh_config.ts';

const context = { home: '/home/me', localUser: 'me' };

const config = parseSshConfig(`
# bastions
Host bastion
  HostName 127.0.9.10
  User jump
  Port 2201
  IdentityFile ~/.ssh/jump_key

Host web-* !web-old
  HostName %h.internal.example
  ProxyJump bastion
  IdentityFile %d/.ssh/web_%r

Host db?
  hostname 10.0.0.5
  user dba
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ~/.ssh/kh_db /etc/ssh/other
  ConnectTimeout 3

Host *
  User fallback
  StrictHostKeyChecking no
  IdentityFile ~/.ssh/id_default
`);

describe('ssh config lookup', () => {
  test('exact Host: HostName, User, Port, IdentityFile with ~', () => {
    const found = lookupSshConfig(config, 'bastion', context);
    assert.equal(found.hostName, '127.0.9.10');
    assert.equal(found.user, 'jump');
    assert.equal(found.port, 2201);
    assert.deepEqual(found.identityFiles, ['/home/me/.ssh/jump_key', '/home/me/.ssh/id_default']);
    assert.equal(found.hostKeyChecking, 'off');
  });

  test('wildcards and negation; %h and %d/%r tokens; first value wins', () => {
    const web = lookupSshConfig(config, 'web-01', context);
    assert.equal(web.hostName, 'web-01.internal.example');
    assert.equal(web.proxyJump, 'bastion');
    assert.equal(web.user, 'fallback');
    assert.deepEqual(web.identityFiles, ['/home/me/.ssh/web_fallback', '/home/me/.ssh/id_default']);
    const old = lookupSshConfig(config, 'web-old', context);
    assert.equal(old.hostName, undefined);
    assert.equal(old.proxyJump, undefined);
  });

  test('case-insensitive keywords, StrictHostKeyChecking, UserKnownHostsFile, ConnectTimeout', () => {
    const db = lookupSshConfig(config, 'db1', context);
    assert.equal(db.hostName, '10.0.0.5');
    assert.equal(db.user, 'dba');
    assert.equal(db.hostKeyChecking, 'accept-new');
    assert.deepEqual(db.userKnownHostsFiles, ['/home/me/.ssh/kh_db', '/etc/ssh/other']);
    assert.equal(db.connectTimeoutMs, 3000);
    assert.equal(lookupSshConfig(config, 'db12', context).hostName, undefined);
  });

  test('an empty config sets nothing', () => {
    const none = lookupSshConfig(parseSshConfig(''), 'x', context);
    assert.deepEqual(none, {
      hostName: undefined,
      user: undefined,
      port: undefined,
      identityFiles: [],
      proxyJump: undefined,
      hostKeyChecking: undefined,
      userKnownHostsFiles: [],
      connectTimeoutMs: undefined,
      keywords: {},
      keywordFiles: {},
      unevaluatedMatches: [],
    });
  });

  test('keywords: the first value of every keyword that applies; Match criteria left unevaluated are listed', () => {
    const config = parseSshConfig(
      [
        'Host db-*',
        '  GSSAPIAuthentication yes',
        'Host *',
        '  GSSAPIAuthentication no',
        '  PKCS11Provider /usr/lib/opensc-pkcs11.so',
        'Match host web-* canonical',
        '  User web',
        'Match host other canonical',
        '  User other',
      ].join('\n'),
      'cfg',
    );
    const db = lookupSshConfig(config, 'db-01', context);
    assert.equal(db.keywords.gssapiauthentication, 'yes');
    assert.equal(db.keywords.pkcs11provider, '/usr/lib/opensc-pkcs11.so');
    assert.deepEqual(db.unevaluatedMatches, []);
    const web = lookupSshConfig(config, 'web-01', context);
    assert.equal(web.keywords.gssapiauthentication, 'no');
    assert.deepEqual(web.unevaluatedMatches, ['cfg:6 Match host web-* canonical']);
  });

  test('expandPath', () => {
    assert.equal(expandPath('~', context), '/home/me');
    assert.equal(expandPath('~/.ssh/%u_key', context), '/home/me/.ssh/me_key');
    assert.equal(expandPath('/x/100%%', context), '/x/100%');
  });
});

describe('ProxyJump values', () => {
  test('one or more hops, user@host:port, ssh:// and [ipv6]:port forms, none', () => {
    assert.deepEqual(parseProxyJump('bastion'), [{ user: undefined, host: 'bastion' }]);
    assert.deepEqual(parseProxyJump('ops@b1:2201,b2, ssh://me@b3:2222'), [
      { user: 'ops', host: 'b1', port: 2201 },
      { user: undefined, host: 'b2' },
      { user: 'me', host: 'b3', port: 2222 },
    ]);
    assert.deepEqual(parseProxyJump('[::1]:2200'), [{ user: undefined, host: '::1', port: 2200 }]);
    assert.deepEqual(parseProxyJump('none'), []);
  });
});

describe('ansible_ssh_common_args', () => {
  test('shell words with quotes', () => {
    assert.deepEqual(splitShellWords(`-o 'ProxyJump=a b' -o "X=\\"y\\"" plain\\ word`), [
      '-o',
      'ProxyJump=a b',
      '-o',
      'X="y"',
      'plain word',
    ]);
  });

  test('ProxyJump, -J and StrictHostKeyChecking are taken; the rest is reported', () => {
    const args = parseSshArgs(`-o ProxyJump=ops@b1:2201 -J other -oStrictHostKeyChecking=no -o ControlMaster=auto -C`);
    assert.deepEqual(args.options, { proxyjump: 'ops@b1:2201', stricthostkeychecking: 'no' });
    assert.deepEqual(args.ignored, ['-o ControlMaster=auto', '-C']);
  });
});
