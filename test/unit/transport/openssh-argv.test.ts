import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  controlArgs,
  execArgs,
  masterArgGroups,
  runConfigText,
  userArgsForOpenSsh,
  type MasterInputs,
} from '../../../src/transport/openssh/argv.ts';
import { CONTROL_PATH_MAX, controlSocketName } from '../../../src/transport/openssh/control-path.ts';

const inputs = (over: Partial<MasterInputs> = {}): MasterInputs => ({
  destination: 'web-01',
  controlPath: '/tmp/sls-play-ssh-abc/0123456789abcdef-1',
  userArgs: [],
  identityFiles: [],
  hostKeyChecking: 'strict',
  hostKeyCheckingExplicit: false,
  connectTimeoutMs: 10_000,
  ...over,
});
const argv = (over: Partial<MasterInputs> = {}) =>
  masterArgGroups(inputs(over), '/run.conf', '/run.log').flatMap((g) => g.args);

describe('the master command line', () => {
  test('connection sharing and the run config first, then the user, the inventory, the host last', () => {
    const args = argv({
      userArgs: ['-o', 'User=fromargs', '-o', 'ControlPath=/elsewhere', '-S', '/x', '-C'],
      user: 'deploy',
      port: 2222,
      identityFiles: ['/k/id'],
    });
    assert.deepEqual(args, [
      ...['-o', 'ControlMaster=yes', '-o', 'ControlPath=/tmp/sls-play-ssh-abc/0123456789abcdef-1'],
      ...['-o', 'ControlPersist=yes', '-N', '-v', '-E', '/run.log', '-F', '/run.conf'],
      ...['-o', 'User=fromargs', '-C'],
      ...['-l', 'deploy', '-p', '2222', '--', 'web-01'],
    ]);
  });

  test('every group says why it is there', () => {
    for (const group of masterArgGroups(
      inputs({ userArgs: ['-A'], user: 'u', hostKeyCheckingExplicit: true }),
      '/c',
      '/l',
    )) {
      assert.ok(group.reason.length > 10, JSON.stringify(group));
    }
  });

  test('--host-key-checking comes before the user arguments on the command line too', () => {
    const args = argv({
      hostKeyChecking: 'accept-new',
      hostKeyCheckingExplicit: true,
      userArgs: ['-o', 'StrictHostKeyChecking=no'],
    });
    assert.deepEqual(args.slice(12, 16), ['-o', 'StrictHostKeyChecking=accept-new', '-o', 'StrictHostKeyChecking=no']);
  });
});

describe("the run's config file (ssh passes -F on to ProxyJump hops)", () => {
  test('BatchMode, host keys, keys, timeouts, then the configs ssh would read', () => {
    const text = runConfigText(
      inputs({ knownHostsFile: '/my dir/kh', identityFiles: ['/k/id'], connectTimeoutMs: 500 }),
      ['/home/me/.ssh/config', '/etc/ssh/ssh_config'],
    );
    const settings = text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    assert.deepEqual(settings, [
      'BatchMode yes',
      'StrictHostKeyChecking yes',
      'UserKnownHostsFile "/my dir/kh"',
      'IdentityFile /k/id',
      'ConnectTimeout 1',
      'ServerAliveInterval 15',
      'ServerAliveCountMax 4',
      'Include /home/me/.ssh/config',
      'Include /etc/ssh/ssh_config',
    ]);
  });

  test('off records nothing; no timeout means none given', () => {
    const text = runConfigText(inputs({ hostKeyChecking: 'off', connectTimeoutMs: 0 }), []);
    assert.match(text, /^StrictHostKeyChecking no\nUserKnownHostsFile \/dev\/null\nGlobalKnownHostsFile \/dev\/null$/m);
    assert.doesNotMatch(text, /ConnectTimeout/);
  });

  test("the user's own sharing options are dropped, everything else kept unchanged", () => {
    assert.deepEqual(
      userArgsForOpenSsh([
        '-o',
        'ControlMaster=auto',
        '-oControlPersist=60s',
        '-M',
        '-o',
        'ForwardAgent=yes',
        '-J',
        'b',
      ]),
      {
        kept: ['-o', 'ForwardAgent=yes', '-J', 'b'],
        dropped: ['-o', 'ControlMaster=auto', '-oControlPersist=60s', '-M'],
      },
    );
  });
});

describe('the commands through the master', () => {
  test('no config, no fallback connection, no pty, the command last', () => {
    const args = execArgs('/tmp/d/s', 'web-01', 'echo hi');
    assert.deepEqual(args.slice(0, 2), ['-F', '/dev/null']);
    for (const option of ['ControlMaster=no', 'ProxyCommand=false', 'BatchMode=yes']) assert.ok(args.includes(option));
    assert.ok(args.includes('-T'));
    assert.deepEqual(args.slice(-3), ['--', 'web-01', 'echo hi']);
    assert.deepEqual(controlArgs('/tmp/d/s', 'web-01', 'check').slice(-4), ['-O', 'check', '--', 'web-01']);
  });

  test('socket names: short, different for different inputs, never shared', () => {
    const a = controlSocketName({ proxyCommand: 'aws ssm start-session --target %h' }, 1);
    const b = controlSocketName({ proxyCommand: 'gcloud compute start-iap-tunnel %h %p' }, 1);
    assert.notEqual(a.split('-')[0], b.split('-')[0]);
    assert.notEqual(controlSocketName({}, 1), controlSocketName({}, 2));
    assert.ok(a.length <= 24);
    assert.equal(CONTROL_PATH_MAX, 107 - 17);
  });
});
