// One simulated host's sshd: PID 1 of its own namespaces (see boot.sh), listening on the
// host's loopback address. Killing it ends the namespace and every session in it.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, fstatSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killQuietly, onExit } from './cleanup.ts';
import { BOOT_SCRIPT } from './wrappers.ts';

export const SSHD = '/usr/sbin/sshd';
// generous: on a loaded CI machine 200 hosts compete for the CPU while they start
const READY_TIMEOUT_MS = 60000;

export interface SshdSpec {
  name: string;
  address: string;
  port: number;
  root: string;
  systemTools: string;
  authorizedKeys: string;
  /** more ListenAddress lines, same port */
  listenAlso?: string[];
  /** only this client address may log in */
  allowFrom?: string;
  /** the fleet's /etc/hosts and /etc/resolv.conf (names stay on 127.0.0.0/8) */
  network?: { hosts: string; resolv: string };
  /** a layer of whiteouts over /usr/bin: the programs this host does not have */
  hiddenTools?: string;
  /** lines placed first, so they win over the ones below */
  extraConfig?: string[];
}

export function sshdConfig(spec: SshdSpec): string {
  return [
    ...(spec.extraConfig ?? []),
    `ListenAddress ${spec.address}:${spec.port}`,
    ...(spec.listenAlso ?? []).map((a) => `ListenAddress ${a}:${spec.port}`),
    ...(spec.allowFrom ? [`AllowUsers *@${spec.allowFrom}`] : []),
    `HostKey ${join(spec.root, 'sshd', 'host_ed25519')}`,
    `AuthorizedKeysFile ${spec.authorizedKeys}`,
    'PidFile none',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // the fleet's files live in a temp dir whose modes sshd would otherwise refuse
    'StrictModes no',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    // tests and benchmarks open many connections and channels at once
    'MaxStartups 1000:100:2000',
    'MaxSessions 200',
    'LoginGraceTime 30',
    // VERBOSE logs each command a session starts ("Starting session: command"): tests and
    // benchmarks count a run's remote commands per host from it (FleetHost.sshActivity)
    'LogLevel VERBOSE',
    'Subsystem sftp internal-sftp',
    // the PATH a root login gets on Debian, stated so it never depends on how sshd was built
    'SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8',
    '',
  ].join('\n');
}

// fstab escapes blanks in paths as octal
const fstabPath = (p: string) => p.replace(/[\s\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);

/** The host's mounts, made by one `mount --all` inside its namespace (see boot.sh). */
export function hostFstab(spec: SshdSpec): string {
  const bind = (from: string, to: string) => `${fstabPath(from)} ${to} none bind 0 0`;
  // read-only overlays: the host's programs on top, the real directory's files below, so a host
  // without the sensor has none on PATH and no placeholder is needed on the real system
  const layer = (top: string, dir: string) => `sls-sim ${dir} overlay lowerdir=${fstabPath(top)}:${dir} 0 0`;
  return [
    bind(join(spec.root, 'etc', 'sophos'), '/etc/sophos'),
    bind(join(spec.root, 'etc', 'sophos-certs'), '/etc/sophos-certs'),
    bind(join(spec.root, 'state'), '/var/lib/sls-sim'),
    // sls-play's own records on the host (owed handlers): each host its own
    bind(join(spec.root, 'sls-play'), '/var/lib/sls-play'),
    // a home of its own: the controller's dotfiles (slow shell init, its PATH) are not the host's
    bind(join(spec.root, 'home'), '/root'),
    layer(join(spec.root, 'bin'), '/usr/local/bin'),
    spec.hiddenTools
      ? `sls-sim /usr/bin overlay lowerdir=${fstabPath(spec.hiddenTools)}:${fstabPath(spec.systemTools)}:/usr/bin 0 0`
      : layer(spec.systemTools, '/usr/bin'),
    // Sophos's MCS host names lead to the fleet's own endpoint, and any other name is asked of a
    // name server on 127.0.0.0/8 that is not there: no lookup ever leaves the machine
    ...(spec.network ? [bind(spec.network.hosts, '/etc/hosts'), bind(spec.network.resolv, '/etc/resolv.conf')] : []),
    '',
  ].join('\n');
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}

/** What sshd logged since `offset`: it says "Server listening on" once its socket is bound. */
function logSince(file: string, offset: number): string {
  try {
    return readFileSync(file, 'utf8').slice(offset);
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Sshd {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private forget: () => void = () => {};

  constructor(private readonly spec: SshdSpec) {
    writeFileSync(join(spec.root, 'sshd', 'sshd_config'), sshdConfig(spec));
    writeFileSync(join(spec.root, 'sshd', 'fstab'), hostFstab(spec));
  }

  get logFile(): string {
    return join(this.spec.root, 'sshd', 'sshd.log');
  }

  isUp(): boolean {
    return this.child !== null;
  }

  /** Starts sshd in new namespaces and resolves once its port accepts connections. */
  async start(): Promise<void> {
    if (this.child) return;
    const { name, address, port, root } = this.spec;
    const log = openSync(this.logFile, 'a');
    const offset = fstatSync(log).size;
    const child = spawn(
      'setpriv',
      [
        // if the controller dies, unshare dies, and --kill-child takes the namespace's PID 1 along
        '--pdeathsig',
        'KILL',
        '--',
        'unshare',
        '--mount',
        '--uts',
        '--pid',
        '--fork',
        '--kill-child',
        '--mount-proc',
        '--propagation',
        'private',
        '/bin/sh',
        BOOT_SCRIPT,
        root,
        name,
      ],
      { stdio: ['ignore', log, log], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } },
    );
    closeSync(log);
    // a fleet must not keep the controller alive: if it exits without stop(), the exit
    // handler (and failing that, the parent-death signal) ends the hosts
    child.unref();
    this.child = child;
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        if (this.child === child) this.child = null;
        resolve();
      }),
    );
    child.once('error', () => {
      exitCode = -1;
    });
    this.forget = onExit(() => this.killSync());
    const deadline = Date.now() + READY_TIMEOUT_MS;
    // back off: hundreds of hosts polling every few ms would eat the CPU their sshds need
    let pause = 10;
    // watching the log rather than connecting spares sshd a forked session per probe
    while (!logSince(this.logFile, offset).includes(`Server listening on ${address} port ${port}`)) {
      if (exitCode !== undefined) {
        this.forget();
        throw new Error(
          `fleet host ${name} (${address}:${port}) did not start: ${lastLines(logSince(this.logFile, offset)) || `sshd exited with ${exitCode}`}`,
        );
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `fleet host ${name} (${address}:${port}) did not start: sshd not listening after ${READY_TIMEOUT_MS} ms; ${lastLines(logSince(this.logFile, offset))}`,
        );
      }
      await sleep(pause);
      pause = Math.min(100, pause * 1.5);
    }
  }

  /** The namespace's PID 1 (sshd) as the controller numbers it. */
  private namespaceInit(): number | undefined {
    const pid = this.child?.pid;
    if (pid === undefined) return undefined;
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      return children ? Number(children.split(' ')[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Drops every SSH session as a network cut would: the per-connection sshd processes are killed,
   * the listener stays up, and what the sessions started goes on without them.
   */
  dropSessions(): number {
    const init = this.namespaceInit();
    if (init === undefined) return 0;
    const sessions = sshdChildren(init);
    // a non-root login's connection is served by an unprivileged sshd child: it goes too
    for (const pid of sessions) for (const child of sshdChildren(pid)) killQuietly(child);
    for (const pid of sessions) killQuietly(pid);
    return sessions.length;
  }

  private killSync(): void {
    // killing PID 1 of a PID namespace kills everything in it; unshare then exits
    killQuietly(this.namespaceInit());
    killQuietly(this.child?.pid);
  }

  /** Kills sshd and every process of the host; resolves once they are gone. */
  async stop(): Promise<void> {
    if (!this.child) return;
    const init = this.namespaceInit();
    // before unshare has forked there is no PID 1 yet; --kill-child covers what it forks
    killQuietly(init ?? this.child.pid);
    // unshare reaps its child only after the kernel has torn the namespace down
    const reaped = await Promise.race([this.exited.then(() => true), sleep(5000).then(() => false)]);
    if (!reaped) killQuietly(this.child?.pid);
    await this.exited;
    this.forget();
    this.child = null;
  }
}

/**
 * The sshd processes right under `pid`: the sessions under the host's PID 1, or under a session's
 * monitor the privilege-separated child of a non-root login.
 */
function sshdChildren(pid: number): number[] {
  let children: number[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return children.filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').startsWith('sshd');
    } catch {
      return false;
    }
  });
}
