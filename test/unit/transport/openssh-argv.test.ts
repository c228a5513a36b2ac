import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  controlArgs,
  execArgs,
  masterArgGroups,
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
const argv = (over: Partial<MasterInputs> = {}) => masterArgGroups(inputs(over)).flatMap((g) => g.args);

describe('the master command line', () => {
  test('connection sharing and BatchMode first, then the user, the inventory, the defaults, the host last', () => {
    const args = argv({
      userArgs: ['-o', 'User=fromargs', '-o', 'ControlPath=/elsewhere', '-S', '/x', '-C'],
      user: 'deploy',
      port: 2222,
      identityFiles: ['/k/id'],
    });
    assert.deepEqual(args, [
      ...['-o', 'ControlMaster=yes', '-o', 'ControlPath=/tmp/sls-play-ssh-abc/0123456789abcdef-1'],
      ...['-o', 'ControlPersist=yes', '-N', '-o', 'BatchMode=yes'],
      ...['-o', 'User=fromargs', '-C'],
      ...['-l', 'deploy', '-p', '2222', '-i', '/k/id'],
      ...['-o', 'StrictHostKeyChecking=yes', '-o', 'ConnectTimeout=10'],
      ...['-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=4', '--', 'web-01'],
    ]);
  });

  test('every group says why it is there', () => {
    for (const group of masterArgGroups(inputs({ userArgs: ['-A'], user: 'u', configFile: '/c' }))) {
      assert.ok(group.reason.length > 10, JSON.stringify(group));
    }
  });

  test('explicit host key choices come before the user arguments; off records nothing', () => {
    const args = argv({
      hostKeyChecking: 'accept-new',
      hostKeyCheckingExplicit: true,
      knownHostsFile: '/my dir/kh',
      userArgs: ['-o', 'StrictHostKeyChecking=no'],
    });
    assert.deepEqual(args.slice(9, 15), [
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'UserKnownHostsFile="/my dir/kh"',
      '-o',
      'StrictHostKeyChecking=no',
    ]);
    const off = argv({ hostKeyChecking: 'off' });
    assert.ok(off.includes('UserKnownHostsFile=/dev/null') && off.includes('StrictHostKeyChecking=no'));
    assert.ok(!argv({ connectTimeoutMs: 0 }).some((a) => a.startsWith('ConnectTimeout')), 'no timeout: none given');
    assert.ok(argv({ connectTimeoutMs: 500 }).includes('ConnectTimeout=1'), 'whole seconds, rounded up');
  });

  test('--ssh-config is -F', () => {
    const args = argv({ configFile: '/etc/fleet/ssh_config' });
    assert.equal(args[args.indexOf('-F') + 1], '/etc/fleet/ssh_config');
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
