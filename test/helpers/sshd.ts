// Real OpenSSH servers on loopback for the transport's end-to-end tests: a host key and a
// config in a temp dir, `sshd -D` in the foreground, killed on teardown.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A world-readable temp dir: sshd reads AuthorizedKeysFile as the logging-in user. */
export async function makeTempDir(prefix = 'sls-transport-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function generateKey(
  file: string,
  type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519',
  passphrase = '',
): Promise<string> {
  const args = ['-q', '-t', type, '-N', passphrase, '-C', 'sls-play-test', '-f', file];
  if (type === 'rsa') args.push('-b', '2048');
  await run('ssh-keygen', args);
  await chmod(`${file}.pub`, 0o644);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

export interface SshdOptions {
  dir: string;
  address: string;
  port?: number;
  /** Public key lines allowed to log in (any user). */
  authorizedKeys: string[];
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
  /** Reuse a host key file instead of generating one (to keep a key across restarts). */
  hostKeyFile?: string;
  /** Extra sshd_config lines, placed first so they win over the defaults here. */
  extraConfig?: string;
  /** `Match` blocks, placed last. */
  matchConfig?: string;
  /** Run sshd inside this network namespace (the pid of a process in it; see startNetns). */
  netnsPid?: number;
  /**
   * Listen here in the test's own namespace and serve each connection with `sshd -i` inside
   * `netnsPid`: a bastion that stands in both worlds.
   */
  inetd?: boolean;
}

export interface TestSshd {
  address: string;
  port: number;
  hostKeyFile: string;
  /** `type base64` of the host key. */
  hostPublicKey: string;
  logFile: string;
  /** sshd processes serving a connection right now (inetd mode only). */
  activeConnections(): number;
  knownHostsLine(name?: string): string;
  log(): Promise<string>;
  stop(): Promise<void>;
}

function waitForBanner(address: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = tcpConnect({ host: address, port });
      socket.once('data', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on ${address}:${port} did not start`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export async function startSshd(options: SshdOptions): Promise<TestSshd> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const port = options.port ?? 2222;
  const tag = `${options.address}-${port}`;
  const hostKeyFile = options.hostKeyFile ?? join(options.dir, `host-${tag}`);
  if (!options.hostKeyFile) await generateKey(hostKeyFile, options.hostKeyType ?? 'ed25519');
  const [type, key] = (await readFile(`${hostKeyFile}.pub`, 'utf8')).trim().split(/\s+/);
  const authorizedKeysFile = join(options.dir, `authorized-${tag}`);
  await writeFile(authorizedKeysFile, `${options.authorizedKeys.join('\n')}\n`, { mode: 0o644 });
  const logFile = join(options.dir, `sshd-${tag}.log`);
  // what the caller gets once sshd (or its inetd-style listener) runs
  const running = (activeConnections: () => number, stop: () => Promise<void>): TestSshd =>
    described(options, port, hostKeyFile, `${type} ${key}`, logFile, activeConnections, stop);
  const configFile = join(options.dir, `sshd-${tag}.conf`);
  await writeFile(
    configFile,
    [
      options.extraConfig ?? '',
      `ListenAddress ${options.address}:${port}`,
      `HostKey ${hostKeyFile}`,
      `PidFile ${join(options.dir, `sshd-${tag}.pid`)}`,
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'LogLevel VERBOSE',
      'MaxStartups 100',
      options.matchConfig ?? '',
      '',
    ].join('\n'),
  );
  const nsenter = (args: string[]): [string, string[]] =>
    options.netnsPid === undefined
      ? ['/usr/sbin/sshd', args]
      : ['nsenter', [`--net=/proc/${options.netnsPid}/ns/net`, '/usr/sbin/sshd', ...args]];
  if (options.inetd) {
    let active = 0;
    const server = createServer((socket) => {
      const [command, args] = nsenter(['-i', '-e', '-f', configFile, '-E', logFile]);
      const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'] });
      active++;
      child.once('exit', () => {
        active--;
        socket.destroy();
      });
      socket.on('error', () => child.kill());
      socket.on('close', () => child.kill());
      socket.pipe(child.stdin!);
      child.stdout!.pipe(socket);
    });
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(port, options.address, () => resolve()),
    );
    return running(
      () => active,
      async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    );
  }
  const [command, args] = nsenter(['-D', '-e', '-f', configFile, '-E', logFile]);
  const child: ChildProcess = spawn(command, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      options.netnsPid === undefined
        ? waitForBanner(options.address, port, 5_000)
        : waitForLog(logFile, 'Server listening', 5_000),
      exited.then(async () => {
        throw new Error(`sshd exited at start: ${await readFile(logFile, 'utf8').catch(() => '')}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return running(
    () => 0,
    async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  );
}

function described(
  options: SshdOptions,
  port: number,
  hostKeyFile: string,
  hostPublicKey: string,
  logFile: string,
  activeConnections: () => number,
  stop: () => Promise<void>,
): TestSshd {
  return {
    address: options.address,
    port,
    hostKeyFile,
    hostPublicKey,
    logFile,
    activeConnections,
    knownHostsLine: (name = port === 22 ? options.address : `[${options.address}]:${port}`) =>
      `${name} ${hostPublicKey}\n`,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    stop,
  };
}

async function waitForLog(file: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await readFile(file, 'utf8').catch(() => '')).includes(text)) {
    if (Date.now() > deadline) throw new Error(`${file} never said "${text}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestNetns {
  pid: number;
  stop(): Promise<void>;
}

/**
 * A private network namespace with its own loopback, where every connection leaves from
 * `sourceAddress`: a target placed there is reachable only through a bastion placed there too,
 * and sees the bastion's address as the peer.
 */
export async function startNetns(sourceAddress: string): Promise<TestNetns> {
  const script = `ip link set lo up && ip route change local 127.0.0.0/8 dev lo table local proto kernel scope host src ${sourceAddress} && echo ready && exec sleep infinity`;
  const holder = spawn('unshare', ['-n', 'sh', '-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  holder.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    holder.stdout!.once('data', () => resolve());
    holder.once('exit', () => reject(new Error(`network namespace did not start: ${errors}`)));
  });
  return {
    pid: holder.pid!,
    async stop() {
      holder.kill('SIGKILL');
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface AddressBlock {
  /** `127.0.N`: this run's own addresses are `${prefix}.1` … `${prefix}.254`. */
  prefix: string;
  /** N, for names that must not collide with another run's (users, sudoers files). */
  octet: number;
  release(): void;
}

/**
 * A 127.0.N block no other test run on this machine holds (a lock file per N with the
 * owner's pid), so the suite can run twice at once without fighting over ports and users.
 */
export function reserveAddressBlock(): AddressBlock {
  const lockDir = join(tmpdir(), 'sls-transport-blocks');
  mkdirSync(lockDir, { recursive: true });
  for (let octet = 9; octet < 60; octet++) {
    const file = join(lockDir, String(octet));
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
    } catch {
      const owner = Number(readFileSync(file, 'utf8'));
      let alive = false;
      try {
        process.kill(owner, 0);
        alive = owner !== process.pid;
      } catch (error) {
        alive = (error as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (alive) continue;
      writeFileSync(file, String(process.pid)); // a dead run's lock
    }
    return { prefix: `127.0.${octet}`, octet, release: () => rmSync(file, { force: true }) };
  }
  throw new Error('no free 127.0.N block for the transport tests');
}
