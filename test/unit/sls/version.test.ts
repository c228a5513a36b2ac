import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions, interpretVersionProbe, parseVersion, versionProbeCommand } from '../../../src/sls/version.ts';

const READ: Record<string, [text: string, parts: number[]][]> = {
  '3- and 4-part versions': [
    ['5.5.2.22', [5, 5, 2, 22]],
    ['5.11.0', [5, 11, 0]],
    ['  5.10.0.3\n', [5, 10, 0, 3]],
  ],
  'build tags, a leading v and surrounding text': [
    ['5.10.0.3 [build]', [5, 10, 0, 3]],
    ['5.10.0.3 [a1b2c3d]', [5, 10, 0, 3]],
    ['v5.10.0.3', [5, 10, 0, 3]],
    ['sophoslinuxsensor version 5.10.0.3', [5, 10, 0, 3]],
    ['sophoslinuxsensor version v5.11.0 [go1.21.5 linux/amd64]', [5, 11, 0]],
    ['version 5.10.0.3.', [5, 10, 0, 3]],
  ],
  'dpkg versions with revision and epoch': [
    ['5.10.0.3-1', [5, 10, 0, 3]],
    ['1:5.10.0.3-1', [5, 10, 0, 3]],
    ['5.5.2.22~rc1-2ubuntu1', [5, 5, 2, 22]],
  ],
};

for (const [kind, cases] of Object.entries(READ)) {
  test(`parseVersion reads ${kind}`, () => {
    for (const [text, parts] of cases) assert.deepEqual(parseVersion(text), parts, JSON.stringify(text));
  });
}

test('parseVersion refuses what is not a 3- or 4-part version', () => {
  assert.equal(parseVersion(''), null);
  assert.equal(parseVersion('5.10'), null);
  assert.equal(parseVersion('5'), null);
  assert.equal(parseVersion('flag provided but not defined: -version'), null);
  assert.equal(parseVersion('1.2.3.4.5'), null);
  assert.equal(parseVersion('99999999999999999999.1.1'), null);
});

test('compareVersions compares part by part as integers', () => {
  assert.equal(compareVersions([5, 10, 0, 3], [5, 5, 2, 22]), 1);
  assert.equal(compareVersions([5, 5, 2, 22], [5, 10, 0, 3]), -1);
  assert.equal(compareVersions([5, 5, 2, 9], [5, 5, 2, 22]), -1);
  assert.equal(compareVersions([5, 5, 2, 22], [5, 5, 2, 22]), 0);
  assert.equal(compareVersions([6, 0, 0], [5, 99, 99, 99]), 1);
});

test('compareVersions counts a missing part as 0', () => {
  assert.equal(compareVersions([5, 5, 2, 22], [5, 5, 2, 22, 0]), 0);
  assert.equal(compareVersions([5, 11, 0], [5, 11, 0, 0]), 0);
  assert.equal(compareVersions([5, 11, 0], [5, 11, 0, 1]), -1);
  assert.equal(compareVersions([5, 5, 3], [5, 5, 2, 22]), 1);
});

test('interpretVersionProbe: new enough, naming the source', () => {
  const r = interpretVersionProbe('path:/usr/local/bin/sophoslinuxsensor\nflag:5.10.0.3 [build]\n', '5.5.2.22');
  assert.equal(r.status, 'ok');
  assert.equal(r.version, '5.10.0.3');
  assert.equal(r.source, 'flag');
  assert.equal(r.message, '5.10.0.3 (from sophoslinuxsensor -version) >= 5.5.2.22');
});

test('interpretVersionProbe: exactly the minimum, 4 parts against 3', () => {
  assert.equal(interpretVersionProbe('flag:5.5.2.22', '5.5.2.22').status, 'ok');
  assert.equal(interpretVersionProbe('flag:5.11.0', '5.5.2.22').status, 'ok');
  assert.equal(interpretVersionProbe('rpm:5.5.2', '5.5.2.0').status, 'ok');
});

test('interpretVersionProbe: a binary found through the unit file is named by its path', () => {
  const r = interpretVersionProbe('path:/opt/sophos/sls/sophoslinuxsensor\nflag:5.10.0.3\n', '5.5.2.22');
  assert.equal(r.message, '5.10.0.3 (from /opt/sophos/sls/sophoslinuxsensor -version) >= 5.5.2.22');
});

test('interpretVersionProbe: dpkg and rpm answers', () => {
  const d = interpretVersionProbe('dpkg:1:5.10.0.3-1\n', '5.5.2.22');
  assert.deepEqual(d, {
    status: 'ok',
    version: '5.10.0.3',
    source: 'dpkg',
    message: '5.10.0.3 (from dpkg package sophoslinuxsensor) >= 5.5.2.22',
  });
  const r = interpretVersionProbe('rpm:5.11.0\r\n', '5.5.2.22');
  assert.equal(r.source, 'rpm');
  assert.equal(r.message, '5.11.0 (from rpm package sophoslinuxsensor) >= 5.5.2.22');
});

test('interpretVersionProbe: no -version flag falls back to the package manager and says so', () => {
  const out =
    'path:/usr/local/bin/sophoslinuxsensor\nflag-failed:2:flag provided but not defined: -version\ndpkg:5.6.0.1-1\n';
  const r = interpretVersionProbe(out, '5.5.2.22');
  assert.equal(r.status, 'ok');
  assert.equal(r.source, 'dpkg');
  assert.match(r.message, /from dpkg package sophoslinuxsensor/);
});

test('interpretVersionProbe: too old says what to do', () => {
  const r = interpretVersionProbe('flag:5.5.1.10', '5.5.2.22');
  assert.equal(r.status, 'failed');
  assert.equal(r.version, '5.5.1.10');
  assert.match(r.message, /^5\.5\.1\.10 \(from sophoslinuxsensor -version\) is older than 5\.5\.2\.22/);
  assert.match(r.message, /upgrade the sensor to 5\.5\.2\.22 or later/);
});

test('interpretVersionProbe: not installed is its own failure', () => {
  const r = interpretVersionProbe('none\n', '5.5.2.22');
  assert.equal(r.status, 'failed');
  assert.equal(r.version, undefined);
  assert.equal(
    r.message,
    'sophoslinuxsensor is not installed on this host (no binary on PATH, no dpkg or rpm package): ' +
      'install SLS 5.5.2.22 or later first',
  );
  // In a container, "not found" from the exec prefix means the same.
  const c = interpretVersionProbe('flag-failed:127:exec: "sophoslinuxsensor": not found\nnone\n', '5.5.2.22');
  assert.match(c.message, /is not installed/);
});

test('interpretVersionProbe: a binary that gives no version and no package is not "not installed"', () => {
  const r = interpretVersionProbe(
    'path:/usr/local/bin/sophoslinuxsensor\nflag-failed:2:flag provided but not defined: -version\nnone\n',
    '5.5.2.22',
  );
  assert.equal(r.status, 'failed');
  assert.doesNotMatch(r.message, /not installed/);
  assert.match(
    r.message,
    /could not be determined \(sophoslinuxsensor -version failed \(exit 2\): "flag provided but not defined: -version"/,
  );
});

test('interpretVersionProbe ignores unrelated lines such as login banners', () => {
  const r = interpretVersionProbe('Welcome to prod-web-01\nsudo: unable to resolve host\nflag:5.10.0.3\n', '5.5.2.22');
  assert.equal(r.status, 'ok');
});

test('interpretVersionProbe refuses a minimum that is not a version', () => {
  assert.throws(() => interpretVersionProbe('flag:5.10.0.3', 'latest'), /sls_min_version "latest" is not a version/);
});

// The probe is run for real under /bin/sh against stand-in commands on a private PATH, which
// proves both the quoting and the order of the sources.
/** What the version probe prints on a fake host with these commands. */
function probeWith(commands: Record<string, string>): string {
  const host = fakeHost(commands);
  try {
    return host.run();
  } finally {
    host.done();
  }
}

function fakeHost(commands: Record<string, string>): { bin: string; run(prefix?: string): string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sls-probe-'));
  const bin = join(dir, 'bin');
  execFileSync('mkdir', [bin]);
  for (const tool of ['sh', 'sed', 'head', 'tr', 'cut', 'timeout', 'cat']) {
    for (const root of ['/usr/bin', '/bin']) {
      if (existsSync(join(root, tool))) {
        symlinkSync(join(root, tool), join(bin, tool));
        break;
      }
    }
  }
  for (const [name, body] of Object.entries(commands)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return {
    bin,
    run: (prefix = '') =>
      execFileSync('/bin/sh', ['-c', versionProbeCommand(prefix)], { env: { PATH: bin } }).toString(),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test('versionProbeCommand: the binary on PATH answers first', () => {
  const host = fakeHost({
    sophoslinuxsensor: '[ "$1" = -version ] && echo "5.10.0.3 [build]"',
    'dpkg-query': 'echo "install ok installed 5.6.0.0-1"',
  });
  try {
    const out = host.run();
    assert.equal(out, `path:${host.bin}/sophoslinuxsensor\nflag:5.10.0.3 [build]\n`);
    assert.equal(interpretVersionProbe(out, '5.5.2.22').source, 'flag');
  } finally {
    host.done();
  }
});

test('versionProbeCommand: the binary named by systemd ExecStart when not on PATH', () => {
  const host = fakeHost({});
  const plain = join(host.bin, '..', 'opt');
  execFileSync('mkdir', [plain]);
  writeFileSync(join(plain, 'sophoslinuxsensor'), '#!/bin/sh\necho "sophoslinuxsensor version 5.11.0"\n');
  chmodSync(join(plain, 'sophoslinuxsensor'), 0o755);
  writeFileSync(
    join(host.bin, 'systemctl'),
    `#!/bin/sh\necho "ExecStart={ path=${plain}/sophoslinuxsensor ; argv[]=${plain}/sophoslinuxsensor -config /etc/sophos ; ignore_errors=no }"\n`,
  );
  chmodSync(join(host.bin, 'systemctl'), 0o755);
  try {
    const out = host.run();
    assert.equal(out, `path:${plain}/sophoslinuxsensor\nflag:sophoslinuxsensor version 5.11.0\n`);
    const r = interpretVersionProbe(out, '5.5.2.22');
    assert.equal(r.message, `5.11.0 (from ${plain}/sophoslinuxsensor -version) >= 5.5.2.22`);
  } finally {
    host.done();
  }
});

test('versionProbeCommand: no -version flag, then dpkg', () => {
  const out = probeWith({
    sophoslinuxsensor: 'echo "flag provided but not defined: -version" >&2; exit 2',
    'dpkg-query': '[ "$2" = "-f=\\${Status} \\${Version}" ] || exit 9; echo "install ok installed 1:5.10.0.3-1"',
    rpm: 'echo 9.9.9',
  });
  assert.match(out, /^path:.*\nflag-failed:2:flag provided but not defined: -version\ndpkg:1:5\.10\.0\.3-1\n$/);
  assert.equal(interpretVersionProbe(out, '5.5.2.22').version, '5.10.0.3');
});

test('versionProbeCommand: a removed-but-not-purged dpkg package does not count; rpm answers', () => {
  const out = probeWith({
    'dpkg-query': 'echo "deinstall ok config-files 5.10.0.3-1"',
    rpm: '[ "$2" = --qf ] && [ "$3" = "%{VERSION}" ] && echo 5.11.0',
  });
  assert.equal(out, 'rpm:5.11.0\n');
});

test('versionProbeCommand: nothing installed prints none', () => {
  const out = probeWith({
    'dpkg-query': 'echo "dpkg-query: no packages found matching sophoslinuxsensor" >&2; exit 1',
    rpm: 'echo "package sophoslinuxsensor is not installed"; exit 1',
    systemctl: 'echo "ExecStart="',
  });
  assert.equal(out, 'none\n');
  assert.match(interpretVersionProbe(out, '5.5.2.22').message, /not installed/);
});

test('versionProbeCommand: the exec prefix carries every sensor and package query', () => {
  const host = fakeHost({
    // A stand-in for `docker exec <name> <cmd…>` that records what it was asked.
    docker:
      '[ "$1" = exec ] && [ "$2" = sls ] || exit 9; shift 2; case "$1" in sophoslinuxsensor) exit 127;; dpkg-query) echo "install ok installed 5.10.0.3-1";; esac',
    sophoslinuxsensor: 'echo 1.0.0', // on the host, not in the container: must not be asked
  });
  try {
    const out = host.run('docker exec sls');
    assert.equal(out, 'flag-failed:127:\ndpkg:5.10.0.3-1\n');
    assert.equal(interpretVersionProbe(out, '5.5.2.22').status, 'ok');
  } finally {
    host.done();
  }
});

test('versionProbeCommand is one sh -c word that survives any login shell quoting', () => {
  const cmd = versionProbeCommand('docker exec sls');
  assert.match(cmd, /^sh -c '/);
  assert.ok(!cmd.includes('\n'));
  assert.match(cmd, /dpkg-query -W/);
  assert.match(cmd, /rpm -q --qf/);
  assert.match(versionProbeCommand(''), /systemctl show -p ExecStart sophoslinuxsensor/);
});
