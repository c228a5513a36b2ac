/**
 * ProxyCommand, Match exec and the system-wide file against OpenSSH itself: `ssh -G` (which
 * evaluates the config, runs Match exec, and prints the result without connecting) and
 * lookupSshConfig agree.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadSshConfigFile, lookupSshConfig, loadUserAndSystemConfig } from '../../../src/transport/ssh_config.ts';
import { resolveConnectOptions } from '../../../src/transport/resolve.ts';

const run = promisify(execFile);
const { homedir: home, username: localUser } = userInfo();

async function available(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}
const skip = (await available('ssh', ['-V'])) ? false : 'openssh-client is not installed';

let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sshconf-g-'));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `ssh -G` as a key → values map (IdentityFile and the like repeat). */
async function sshG(args: string[], env: Record<string, string> = {}): Promise<Map<string, string>> {
  const { stdout } = await run('ssh', ['-G', ...args], { env: { ...process.env, ...env } });
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0 && !out.has(line.slice(0, sp))) out.set(line.slice(0, sp), line.slice(sp + 1));
  }
  return out;
}

describe('ProxyCommand and ProxyJump as ssh -G reads them', { skip }, () => {
  let config: string;
  before(() => {
    config = join(dir, 'proxy.conf');
    writeFileSync(
      config,
      `Host pc-quoted
  ProxyCommand sh -c "aws ssm start-session --target %h --document-name AWS-StartSSHSession --parameters portNumber=%p"
Host pc-first
  ProxyCommand first-tunnel %h %p
  ProxyCommand second-tunnel %h
Host pc-command-then-jump
  ProxyCommand nc %h %p
  ProxyJump bastion
Host pc-jump-then-command
  ProxyJump bastion:2201
  ProxyCommand nc %h %p
Host pc-none-then-jump
  ProxyCommand none
  ProxyJump bastion
Host pc-jumpnone-then-command
  ProxyJump none
  ProxyCommand=nc -X connect %h %p
Host pc-*
  ProxyCommand fallback-tunnel %r@%h:%p
`,
    );
  });

  const cases: Array<{ host: string; options?: string[] }> = [
    { host: 'pc-quoted' },
    { host: 'pc-first' },
    { host: 'pc-command-then-jump' },
    { host: 'pc-jump-then-command' },
    { host: 'pc-none-then-jump' },
    { host: 'pc-jumpnone-then-command' },
    { host: 'pc-other' },
    { host: 'plain' },
    // -o options come before the files, so they win either way round
    { host: 'pc-jump-then-command', options: ['ProxyCommand=cli-tunnel %h'] },
    { host: 'pc-first', options: ['ProxyJump=cli-bastion'] },
    { host: 'pc-first', options: ['ProxyCommand=none'] },
  ];
  for (const { host, options = [] } of cases) {
    it(`${host}${options.length ? ` with -o ${options.join(' ')}` : ''}`, async () => {
      const theirs = await sshG(['-F', config, ...options.flatMap((o) => ['-o', o]), host]);
      const found = lookupSshConfig(loadSshConfigFile(config), host, {
        home,
        localUser,
        commandLine: options.map((o) => o.split('=', 2) as [string, string]),
      });
      assert.equal(found.proxyCommand, theirs.get('proxycommand'), 'ProxyCommand');
      assert.equal(found.proxyJump, theirs.get('proxyjump'), 'ProxyJump');
    });
  }
});

describe('Match exec as ssh -G runs it', { skip }, () => {
  let config: string;
  before(() => {
    config = join(dir, 'exec.conf');
    writeFileSync(join(dir, 'flag-ex-yes'), '');
    writeFileSync(join(dir, 'skipped.conf'), `Match exec "touch ${dir}/ran-in-skipped-include-%n"\n  User never\n`);
    writeFileSync(
      config,
      `Host ex-tok EX-Tok
  HostName %h.tok.example
  Port 2345
  HostKeyAlias alias-tok
Match originalhost ex-tok exec "echo %h,%n,%p,%r,%u,%d,%k,%C,%L,%l,%i,%% > $SSHCONF_TOKENS"""
  User after-tokens
Match host ex-* exec "test -e ${dir}/flag-%n"
  User exec-true
Match host ex-* !exec "test -e ${dir}/flag-%n"
  User exec-false
Match host nomatch-* exec "touch ${dir}/ran-after-failed-host-%n"
  User never
Host elsewhere-*
  Include ${join(dir, 'skipped.conf')}
Host *
  Port 2200
`,
    );
  });

  for (const host of ['ex-yes', 'ex-no', 'ex-tok', 'EX-Tok', 'other']) {
    it(`${host}: the same user and tokens as ssh -G`, async () => {
      const ours = join(dir, `tokens-ours-${host}`);
      const theirs = join(dir, `tokens-ssh-${host}`);
      const seen = await sshG(['-F', config, host], { SSHCONF_TOKENS: theirs });
      process.env.SSHCONF_TOKENS = ours;
      try {
        const found = lookupSshConfig(loadSshConfigFile(config), host, { home, localUser });
        assert.equal(found.user ?? localUser, seen.get('user'));
        assert.equal(String(found.port ?? 22), seen.get('port'));
        assert.equal(found.warnings, undefined);
      } finally {
        delete process.env.SSHCONF_TOKENS;
      }
      assert.equal(existsSync(ours), existsSync(theirs));
      if (existsSync(theirs)) assert.equal(readFileSync(ours, 'utf8'), readFileSync(theirs, 'utf8'));
    });
  }

  it('exit 0 applies the block, another status does not', () => {
    const load = loadSshConfigFile(config);
    assert.equal(lookupSshConfig(load, 'ex-yes', { home, localUser }).user, 'exec-true');
    assert.equal(lookupSshConfig(load, 'ex-no', { home, localUser }).user, 'exec-false');
  });

  it('runs no command once an earlier criterion on the line failed, nor in a block that does not apply', () => {
    lookupSshConfig(loadSshConfigFile(config), 'nomatch-x', { home, localUser });
    lookupSshConfig(loadSshConfigFile(config), 'plain', { home, localUser });
    assert.equal(existsSync(join(dir, 'ran-after-failed-host-nomatch-x')), true, 'the host criterion held');
    assert.equal(existsSync(join(dir, 'ran-after-failed-host-plain')), false);
    assert.equal(existsSync(join(dir, 'ran-in-skipped-include-plain')), false);
    // and the include's Match exec does run for a host its block applies to
    lookupSshConfig(loadSshConfigFile(config), 'elsewhere-1', { home, localUser });
    assert.equal(existsSync(join(dir, 'ran-in-skipped-include-elsewhere-1')), true);
  });

  it("runs through $SHELL with stdin and stdout on /dev/null; the user's shell decides", () => {
    const file = join(dir, 'shell.conf');
    const out = join(dir, 'shell-seen');
    writeFileSync(
      file,
      `Match exec "echo $0 $(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/1) > ${out}"\n  User x\n`,
    );
    const shell = process.env.SHELL;
    process.env.SHELL = '/bin/sh';
    try {
      assert.equal(lookupSshConfig(loadSshConfigFile(file), 'h', { home, localUser }).user, 'x');
    } finally {
      if (shell === undefined) delete process.env.SHELL;
      else process.env.SHELL = shell;
    }
    assert.equal(readFileSync(out, 'utf8'), '/bin/sh /dev/null /dev/null\n');
  });

  it("the command does not see sls-play's own secrets", () => {
    const file = join(dir, 'secrets.conf');
    writeFileSync(file, 'Match exec "test -z \\"$SLS_API_KEY$SLS_PLAY_KEY_PASSPHRASE\\""\n  User clean\n');
    process.env.SLS_API_KEY = 'sshconf-unit-key';
    process.env.SLS_PLAY_KEY_PASSPHRASE = 'sshconf-unit-pass';
    try {
      assert.equal(lookupSshConfig(loadSshConfigFile(file), 'h', { home, localUser }).user, 'clean');
    } finally {
      delete process.env.SLS_API_KEY;
      delete process.env.SLS_PLAY_KEY_PASSPHRASE;
    }
  });

  it('an unknown token runs nothing and says so', () => {
    const file = join(dir, 'unknown-token.conf');
    writeFileSync(file, `Match exec "touch ${dir}/unknown-%Z"\n  User x\n`);
    const found = lookupSshConfig(loadSshConfigFile(file), 'h', { home, localUser });
    assert.equal(found.user, undefined);
    assert.equal(existsSync(join(dir, 'unknown-%Z')), false);
    assert.match(found.warnings?.[0] ?? '', /unknown-token\.conf:1: Match exec: token %Z is not supported/);
  });
});

describe('/etc/ssh/ssh_config after the user file, as ssh reads them', { skip }, () => {
  let userHome: string;
  let systemDir: string;
  before(() => {
    userHome = join(dir, 'home');
    systemDir = join(dir, 'etc-ssh');
    mkdirSync(join(userHome, '.ssh'), { recursive: true, mode: 0o700 });
    mkdirSync(systemDir);
    writeFileSync(
      join(userHome, '.ssh', 'config'),
      `Host sys-*
  User from-user
Include user-inc.conf
`,
    );
    writeFileSync(join(userHome, '.ssh', 'user-inc.conf'), 'Host sys-2\n  Port 2402\n');
    writeFileSync(
      join(systemDir, 'ssh_config'),
      `# a new file starts with every line applying, as ssh reads it
ConnectTimeout 9
Host sys-*
  User from-system
  HostName %h.system.example
  Port 2401
  ProxyCommand system-tunnel %h %p
Include sys-inc.conf
`,
    );
    writeFileSync(join(systemDir, 'sys-inc.conf'), 'Host sys-3\n  ConnectTimeout 3\n');
  });

  // ssh reads /root/.ssh/config and /etc/ssh/ssh_config: give it ours in a private mount namespace
  async function sshGWithFiles(host: string): Promise<Map<string, string>> {
    const script = `mount --bind "$1" /etc/ssh && mount --bind "$2" "$3/.ssh" && exec ssh -G "$4"`;
    const { stdout } = await run('unshare', [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      script,
      'sh',
      systemDir,
      join(userHome, '.ssh'),
      home,
      host,
    ]);
    return new Map(
      stdout.split('\n').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]),
    );
  }
  const canMount = process.getuid?.() === 0;

  for (const host of ['sys-1', 'sys-2', 'sys-3', 'other']) {
    it(`${host}: user file first, system file second (its Include from its own directory)`, {
      skip: !canMount && 'needs root for a mount namespace',
    }, async () => {
      const theirs = await sshGWithFiles(host);
      const found = lookupSshConfig(
        loadUserAndSystemConfig(join(userHome, '.ssh', 'config'), join(systemDir, 'ssh_config')),
        host,
        { home: userHome, localUser },
      );
      assert.equal(found.user ?? localUser, theirs.get('user'));
      assert.equal(found.hostName ?? host, theirs.get('hostname'));
      assert.equal(String(found.port ?? 22), theirs.get('port'));
      assert.equal(String((found.connectTimeoutMs ?? 0) / 1000 || 'none'), theirs.get('connecttimeout'));
      assert.equal(found.proxyCommand, theirs.get('proxycommand'));
    });
  }

  it('resolve: the system file is read after ~/.ssh/config; --ssh-config replaces both, as ssh -F', () => {
    const settings = {
      hostKeyChecking: 'strict' as const,
      connectTimeoutMs: 10_000,
      home: userHome,
      localUser: 'me',
      systemSshConfigFile: join(systemDir, 'ssh_config'),
    };
    const both = resolveConnectOptions('sys-1', {}, settings);
    assert.equal(both.user, 'from-user');
    assert.equal(both.address, 'sys-1.system.example');
    assert.equal(both.port, 2401);
    assert.equal(both.proxyCommand, 'system-tunnel sys-1.system.example 2401');
    const only = resolveConnectOptions('sys-1', {}, { ...settings, sshConfigFile: join(userHome, '.ssh', 'config') });
    assert.equal(only.user, 'from-user');
    assert.equal(only.address, 'sys-1');
    assert.equal(only.proxyCommand, undefined);
    const none = resolveConnectOptions('sys-1', {}, { ...settings, sshConfigFile: 'none' });
    assert.equal(none.user, 'me');
  });

  it('resolve: SLS_PLAY_SYSTEM_SSH_CONFIG names the system file (for tests)', () => {
    process.env.SLS_PLAY_SYSTEM_SSH_CONFIG = join(systemDir, 'ssh_config');
    try {
      const options = resolveConnectOptions(
        'sys-2',
        {},
        {
          hostKeyChecking: 'strict',
          connectTimeoutMs: 10_000,
          home: userHome,
          localUser: 'me',
        },
      );
      assert.equal(options.port, 2402);
      assert.equal(options.connectTimeoutMs, 9_000);
    } finally {
      delete process.env.SLS_PLAY_SYSTEM_SSH_CONFIG;
    }
  });
});

describe('ProxyCommand in the resolved connection', () => {
  it('%h %p %r %n %k %% expanded with the final values; the first bastion keeps its own', () => {
    const config = join(dir, 'resolve-proxy.conf');
    writeFileSync(
      config,
      `Host tunnelled
  HostName 10.1.2.3
  Port 2022
  ProxyCommand relay %h %p %r %n %k 100%%
Host inner
  HostName 10.9.9.9
  ProxyJump gate,second
Host gate
  HostName gate.example
  User gateuser
  ProxyCommand gcloud compute start-iap-tunnel %n %p --listen-on-stdin
Host second
  ProxyCommand never-used %h
`,
    );
    const settings = {
      sshConfigFile: config,
      hostKeyChecking: 'strict' as const,
      connectTimeoutMs: 1000,
      home: '/h',
      localUser: 'me',
    };
    const options = resolveConnectOptions('web', { ansible_host: 'tunnelled', ansible_user: 'deploy' }, settings);
    assert.equal(options.proxyCommand, 'relay 10.1.2.3 2022 deploy tunnelled tunnelled 100%');
    assert.equal(options.proxyJump, undefined);

    const inner = resolveConnectOptions('inner', {}, settings);
    assert.equal(inner.proxyCommand, undefined);
    assert.deepEqual(
      inner.proxyJump?.map((hop) => [hop.address, hop.proxyCommand]),
      [
        ['gate.example', 'gcloud compute start-iap-tunnel gate 22 --listen-on-stdin'],
        ['second', undefined],
      ],
    );

    const fromArgs = resolveConnectOptions(
      'inner',
      { ansible_ssh_common_args: `-o ProxyCommand="ssh -W %h:%p -q gw.example"` },
      settings,
    );
    assert.equal(fromArgs.proxyCommand, 'ssh -W 10.9.9.9:22 -q gw.example');
    assert.equal(fromArgs.proxyJump, undefined);
    assert.deepEqual(fromArgs.warnings, []);
  });
});

describe('Match exec tokens of OpenSSH 9.6 and later', () => {
  it('%j is the ProxyJump host nearest the target, and %C hashes it in', async () => {
    const { createHash } = await import('node:crypto');
    const { hostname } = await import('node:os');
    const file = join(dir, 'jump-tokens.conf');
    const out = join(dir, 'jump-tokens');
    writeFileSync(file, `Host j1\n  ProxyJump ops@outer:2201,inner\nMatch exec "echo %j %C > ${out}"\n  User x\n`);
    lookupSshConfig(loadSshConfigFile(file), 'j1', { home, localUser });
    const hash = createHash('sha1').update(`${hostname()}j122${localUser}inner`).digest('hex');
    assert.equal(readFileSync(out, 'utf8'), `inner ${hash}\n`);
  });
});
