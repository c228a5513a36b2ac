// One simulated host's sshd: PID 1 of its own namespaces (see boot.sh), listening on the
// host's loopback address. Killing it ends the namespace and every session in it.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { killQuietly, onExit } from './cleanup.ts';
import { BOOT_SCRIPT } from './wrappers.ts';

export const SSHD = '/usr/sbin/sshd';
const READY_TIMEOUT_MS = 15000;

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
}

export function sshdConfig(spec: SshdSpec): string {
  return [
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
    'LogLevel INFO',
    'Subsystem sftp internal-sftp',
    // the PATH a root login gets on Debian, stated so it never depends on how sshd was built
    'SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8',
    '',
  ].join('\n');
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '';
  }
}

function canConnect(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Sshd {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private forget: () => void = () => {};

  constructor(private readonly spec: SshdSpec) {
    writeFileSync(join(spec.root, 'sshd', 'sshd_config'), sshdConfig(spec));
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
    const child = spawn('setpriv', [
      // if the controller dies, unshare dies, and --kill-child takes the namespace's PID 1 along
      '--pdeathsig', 'KILL', '--',
      'unshare', '--mount', '--uts', '--pid', '--fork', '--kill-child', '--mount-proc', '--propagation', 'private',
      '/bin/sh', BOOT_SCRIPT, root, this.spec.systemTools, name,
    ], { stdio: ['ignore', log, log], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' } });
    closeSync(log);
    this.child = child;
    let exitCode: number | null | undefined;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      if (this.child === child) this.child = null;
      resolve();
    }));
    child.once('error', () => { exitCode = -1; });
    this.forget = onExit(() => this.killSync());
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await canConnect(address, port))) {
      if (exitCode !== undefined) {
        this.forget();
        throw new Error(`fleet host ${name} (${address}:${port}) did not start: ${tail(this.logFile) || `sshd exited with ${exitCode}`}`);
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`fleet host ${name} (${address}:${port}) did not start: sshd not listening after ${READY_TIMEOUT_MS} ms; ${tail(this.logFile)}`);
      }
      await sleep(15);
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
