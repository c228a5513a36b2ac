/**
 * The ssh config evaluator against OpenSSH itself: for every case, `ssh -G -F <file> <host>`
 * (which prints the settings ssh would use, without connecting) and lookupSshConfig agree.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadSshConfigFile, lookupSshConfig, type SshConfigHost } from '../../../src/transport/ssh_config.ts';

const run = promisify(execFile);
// ssh takes the home directory and user name from the password database, not $HOME
const { homedir: home, username: localUser } = userInfo();

async function sshInstalled(): Promise<boolean> {
  try {
    await run('ssh', ['-V']);
    return true;
  } catch {
    return false;
  }
}
const skip = (await sshInstalled()) ? false : 'openssh-client is not installed';

let dir: string;
let relativeDir: string;
let config: string;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'sls-ssh-g-'));
  // Include's relative paths are taken from ~/.ssh, so one case needs a directory there
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  relativeDir = mkdtempSync(join(home, '.ssh', 'sls-play-test-'));
  writeFileSync(join(relativeDir, '10-rel.conf'), 'Host rel-*\n  User relative\n  Port 2301\n');
  writeFileSync(join(relativeDir, '20-rel.conf'), 'Host rel-2\n  User second\n  HostName rel-two.example\n');
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(
    join(dir, 'conf.d', 'a.conf'),
    'Host inc-*\n  User incuser\n  IdentityFile /keys/inc_%h\nHost *\n  ConnectTimeout 4\n',
  );
  writeFileSync(join(dir, 'conf.d', 'b.conf'), 'Host inc-b\n  Port 2202\n');
  writeFileSync(join(dir, 'scoped.conf'), 'Port 2400\nHost other\n  User notme\n');
  config = join(dir, 'config');
  writeFileSync(
    config,
    `# cases from issue 10
Host a,b
  User comma
Host x?
  User onechar
Host web-* !web-old
  HostName %h.prod.example
  UserKnownHostsFile /kh/%h_%p_%r_%n_%u_%% ~/.ssh/kh2_%d
  IdentityFile /keys/%h-%r-%n-%p-%u-%%
Host scoped-*
  Include ${join(dir, 'scoped.conf')}
  StrictHostKeyChecking accept-new
Host nomatch-*
  Include ${join(dir, 'scoped.conf')}
Include ${join(dir, 'conf.d', '*.conf')}
Include ${relativeDir.slice(home.length + '/.ssh/'.length)}/*.conf
Host zero
  ConnectTimeout 0
Host jump-*
  ProxyJump ops@bastion:2201,second
  StrictHostKeyChecking no
Match host *.prod.example
  User matched-after-hostname
Match originalhost web-7
  Port 2207
Match host web-8.prod.example,!web-9*
  ConnectTimeout 8
Match all
  User everyone
`,
  );
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (relativeDir) rmSync(relativeDir, { recursive: true, force: true });
});

interface Seen {
  user: string;
  hostname: string;
  port: string;
  proxyjump?: string;
  stricthostkeychecking: string;
  connecttimeout: string;
  userknownhostsfile: string;
}

async function sshG(host: string): Promise<Seen & { identityfile: string[] }> {
  const { stdout } = await run('ssh', ['-G', '-F', config, host]);
  const out: Record<string, string> = {};
  const identity: string[] = [];
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    const key = line.slice(0, sp);
    if (key === 'identityfile') identity.push(line.slice(sp + 1));
    else out[key] = line.slice(sp + 1);
  }
  const strict =
    out.stricthostkeychecking === 'ask' || out.stricthostkeychecking === 'true'
      ? 'strict'
      : out.stricthostkeychecking === 'false'
        ? 'off'
        : out.stricthostkeychecking!;
  return {
    user: out.user!,
    hostname: out.hostname!,
    port: out.port!,
    ...(out.proxyjump ? { proxyjump: out.proxyjump } : {}),
    stricthostkeychecking: strict,
    connecttimeout: out.connecttimeout!,
    userknownhostsfile: out.userknownhostsfile!,
    identityfile: identity,
  };
}

function ours(found: SshConfigHost, host: string): Seen {
  return {
    user: found.user ?? localUser,
    hostname: found.hostName ?? host.toLowerCase(),
    port: String(found.port ?? 22),
    ...(found.proxyJump ? { proxyjump: found.proxyJump } : {}),
    stricthostkeychecking: found.hostKeyChecking ?? 'strict',
    connecttimeout: found.connectTimeoutMs === undefined ? 'none' : String(found.connectTimeoutMs / 1000),
    userknownhostsfile: (found.userKnownHostsFiles.length
      ? found.userKnownHostsFiles
      : [join(home, '.ssh/known_hosts'), join(home, '.ssh/known_hosts2')]
    ).join(' '),
  };
}

const HOSTS = [
  'a',
  'b',
  'x',
  'x1',
  'x12',
  'web-1',
  'web-old',
  'web-7',
  'web-8',
  'scoped-1',
  'nomatch-1',
  'inc-a',
  'inc-b',
  'rel-1',
  'rel-2',
  'zero',
  'jump-1',
  'plain',
  'WEB-3',
  'Web-7',
];

describe('ssh config as ssh -G reads it', { skip }, () => {
  for (const host of HOSTS) {
    it(host, async () => {
      const theirs = await sshG(host);
      const found = lookupSshConfig(loadSshConfigFile(config), host, { home, localUser });
      const { identityfile, ...settings } = theirs;
      assert.deepEqual(ours(found, host), settings);
      // ssh -G prints IdentityFile unexpanded: compare what was configured, not ssh's defaults
      if (!identityfile.some((f) => f.startsWith('~/.ssh/id_')))
        assert.equal(found.identityFiles.length, identityfile.length);
    });
  }

  it('expands %h (after HostName) %p %r (the final user) %n %u %d %% in IdentityFile exactly as ssh does in UserKnownHostsFile', async () => {
    const theirs = await sshG('web-1');
    const found = lookupSshConfig(loadSshConfigFile(config), 'web-1', { home, localUser });
    assert.equal(found.identityFiles[0], `/keys/web-1.prod.example-matched-after-hostname-web-1-22-${localUser}-%`);
    assert.equal(
      theirs.userknownhostsfile,
      `/kh/web-1.prod.example_22_matched-after-hostname_web-1_${localUser}_% ${home}/.ssh/kh2_${home}`,
    );
  });

  it('ConnectTimeout 0 is kept as 0 (no timeout), not as unset', () => {
    assert.equal(lookupSshConfig(loadSshConfigFile(config), 'zero', { home, localUser }).connectTimeoutMs, 0);
  });

  it('Match criteria it cannot evaluate are warned about, never applied', () => {
    const file = join(dir, 'unsupported.conf');
    writeFileSync(file, 'Match canonical host x\n  Port 9\nMatch localnetwork 10.0.0.0/8\n  Port 10\n');
    const found = lookupSshConfig(loadSshConfigFile(file), 'x', { home, localUser });
    assert.equal(found.port, undefined);
    assert.equal(found.warnings?.length, 2);
    assert.match(
      found.warnings![1]!,
      /unsupported\.conf:3: Match localnetwork is not supported; its block is not applied/,
    );
  });
});
