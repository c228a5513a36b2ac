import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resolveConnectOptions, type ResolveSettings } from '../../../src/transport/resolve.ts';

let dir: string;
let settings: ResolveSettings;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'resolve-test-'));
  writeFileSync(
    join(dir, 'config'),
    `Host jump1
  HostName 127.0.9.10
  User hopper
  IdentityFile ~/.ssh/jump_key
  ProxyJump outer

Host outer
  HostName 127.0.9.9
  Port 2299

Host web-*
  HostName 127.0.9.20
  User cfguser
  Port 2200
  IdentityFile ~/.ssh/cfg_key
  ProxyJump jump1,ops@127.0.9.11:2211
  StrictHostKeyChecking accept-new
  UserKnownHostsFile ~/kh_from_config
  ConnectTimeout 4
`,
  );
  settings = {
    sshConfigFile: join(dir, 'config'),
    hostKeyChecking: 'strict',
    connectTimeoutMs: 10_000,
    home: '/home/me',
    localUser: 'me',
  };
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Host `plain` with ssh_args from ansible.cfg and the inventory's ansible_ssh_common_args. */
const withSshArgs = (sshArgs: string, commonArgs: string) =>
  resolveConnectOptions('plain', { ansible_ssh_args: sshArgs, ansible_ssh_common_args: commonArgs }, settings);

describe('resolveConnectOptions', () => {
  test('defaults: inventory name as address, current user, port 22, ~/.ssh/known_hosts, strict, no become', () => {
    const options = resolveConnectOptions('plain', {}, settings);
    assert.equal(options.address, 'plain');
    assert.equal(options.user, 'me');
    assert.equal(options.port, 22);
    assert.deepEqual(options.privateKeyFiles, []);
    assert.equal(options.knownHostsFile, '/home/me/.ssh/known_hosts');
    assert.equal(options.hostKeyChecking, 'strict');
    assert.equal(options.connectTimeoutMs, 10_000);
    assert.equal(options.proxyJump, undefined);
    assert.deepEqual(options.become, { enabled: false, user: 'root', password: undefined });
    assert.deepEqual(options.warnings, []);
  });

  test('ssh config applies by name; inventory variables win over it', () => {
    const fromConfig = resolveConnectOptions('web-01', {}, settings);
    assert.equal(fromConfig.address, '127.0.9.20');
    assert.equal(fromConfig.user, 'cfguser');
    assert.equal(fromConfig.port, 2200);
    assert.deepEqual(fromConfig.privateKeyFiles, ['/home/me/.ssh/cfg_key']);
    assert.equal(fromConfig.hostKeyChecking, 'accept-new');
    assert.equal(fromConfig.knownHostsFile, '/home/me/kh_from_config');
    assert.equal(fromConfig.connectTimeoutMs, 4000);

    const fromInventory = resolveConnectOptions(
      'web-01',
      {
        ansible_user: 'deploy',
        ansible_port: '2222',
        ansible_ssh_private_key_file: '~/.ssh/inv_key',
        ansible_password: 'pw',
      },
      settings,
    );
    assert.equal(fromInventory.user, 'deploy');
    assert.equal(fromInventory.port, 2222);
    assert.deepEqual(fromInventory.privateKeyFiles, ['/home/me/.ssh/inv_key', '/home/me/.ssh/cfg_key']);
    assert.equal(fromInventory.password, 'pw');
  });

  test('ansible_host is the name looked up in the ssh config, as ssh is given it', () => {
    const options = resolveConnectOptions('db', { ansible_host: 'web-07' }, settings);
    assert.equal(options.address, '127.0.9.20');
    assert.equal(resolveConnectOptions('db', { ansible_host: '127.0.3.4' }, settings).address, '127.0.3.4');
  });

  test('ProxyJump hops are each resolved through the config, the first one with its own ProxyJump', () => {
    const options = resolveConnectOptions('web-01', { ansible_ssh_private_key_file: '/k/fleet' }, settings);
    const hops = options.proxyJump ?? [];
    assert.deepEqual(
      hops.map((h) => [h.name, h.user, h.address, h.port]),
      [
        ['outer', 'me', '127.0.9.9', 2299],
        ['jump1', 'hopper', '127.0.9.10', 22],
        ['127.0.9.11', 'ops', '127.0.9.11', 2211],
      ],
    );
    assert.deepEqual(hops[1]!.privateKeyFiles, ['/home/me/.ssh/jump_key', '/k/fleet']);
    assert.equal(hops[1]!.knownHostsFile, '/home/me/.ssh/known_hosts');
  });

  test('host key checking: explicit CLI wins; otherwise ssh args, then ansible_host_key_checking, then config', () => {
    assert.equal(
      resolveConnectOptions('web-01', {}, { ...settings, hostKeyCheckingExplicit: true }).hostKeyChecking,
      'strict',
    );
    assert.equal(
      resolveConnectOptions('web-01', { ansible_ssh_common_args: '-o StrictHostKeyChecking=yes' }, settings)
        .hostKeyChecking,
      'strict',
    );
    assert.equal(resolveConnectOptions('plain', { ansible_host_key_checking: false }, settings).hostKeyChecking, 'off');
    assert.equal(
      resolveConnectOptions('plain', {}, { ...settings, hostKeyChecking: 'accept-new' }).hostKeyChecking,
      'accept-new',
    );
  });

  test('--known-hosts wins over UserKnownHostsFile', () => {
    assert.equal(
      resolveConnectOptions('web-01', {}, { ...settings, knownHostsFile: '/tmp/kh' }).knownHostsFile,
      '/tmp/kh',
    );
  });

  test('become: ansible_become, ansible_become_user, password from the inventory before -K', () => {
    const fromPrompt = resolveConnectOptions(
      'h',
      { ansible_become: 'yes' },
      { ...settings, becomePassword: 'prompted' },
    );
    assert.deepEqual(fromPrompt.become, { enabled: true, user: 'root', password: 'prompted' });
    const fromVars = resolveConnectOptions(
      'h',
      { ansible_become: true, ansible_become_user: 'svc', ansible_become_password: 'inv' },
      { ...settings, becomePassword: 'prompted' },
    );
    assert.deepEqual(fromVars.become, { enabled: true, user: 'svc', password: 'inv' });
  });

  test('ansible_ssh_common_args: ProxyJump honoured; the rest listed for the client choice, connection sharing aside', () => {
    const options = withSshArgs('-C -o ControlPersist=60s', '-o ProxyJump=ops@127.0.9.12:2212 -o ForwardAgent=yes');
    assert.deepEqual(
      options.proxyJump?.map((h) => [h.user, h.address, h.port]),
      [['ops', '127.0.9.12', 2212]],
    );
    assert.deepEqual(options.warnings, []);
    assert.deepEqual(options.unhonouredSshArgs, ['-o ForwardAgent=yes']);
    assert.deepEqual(options.sshArgWords, [
      ...['-C', '-o', 'ControlPersist=60s'],
      ...['-o', 'ProxyJump=ops@127.0.9.12:2212', '-o', 'ForwardAgent=yes'],
    ]);
  });

  test('a missing ssh config file is an empty config', () => {
    const options = resolveConnectOptions('web-01', {}, { ...settings, sshConfigFile: join(dir, 'absent') });
    assert.equal(options.address, 'web-01');
  });
});

describe('ssh config details as ssh has them', () => {
  test('every UserKnownHostsFile file is checked, new keys going to the first; ConnectTimeout 0 is no timeout; %r is the user used', () => {
    const file = join(dir, 'config-multi');
    writeFileSync(
      file,
      'Host multi\n  UserKnownHostsFile ~/kh1 /etc/kh2\n  ConnectTimeout 0\n  IdentityFile ~/.ssh/id_%r\n',
    );
    const options = resolveConnectOptions('multi', { ansible_user: 'deploy' }, { ...settings, sshConfigFile: file });
    assert.equal(options.knownHostsFile, '/home/me/kh1');
    assert.deepEqual(options.extraKnownHostsFiles, ['/etc/kh2']);
    assert.equal(options.connectTimeoutMs, 0);
    assert.deepEqual(options.privateKeyFiles, ['/home/me/.ssh/id_deploy']);
  });

  test("ssh_args from ansible.cfg (ansible_ssh_args) come first, as on ansible's ssh command line; its connection sharing is not warned about", () => {
    const options = withSshArgs(
      '-C -o ControlMaster=auto -o ControlPersist=60s -o ConnectTimeout=3',
      '-o ConnectTimeout=9',
    );
    assert.equal(options.connectTimeoutMs, 3000);
    assert.deepEqual(options.warnings, []);
  });

  test('a Match criterion sls-play cannot evaluate is a warning naming the config line', () => {
    const file = join(dir, 'config-match');
    writeFileSync(file, 'Match localnetwork 10.0.0.0/8\n  User never\n');
    const options = resolveConnectOptions('plain', {}, { ...settings, sshConfigFile: file });
    assert.equal(options.user, 'me');
    assert.deepEqual(options.warnings, [
      `ssh config ${file}:1: Match localnetwork is not supported; its block is not applied`,
    ]);
  });
});
