// Real OpenSSH servers on loopback for the transport's end-to-end tests: a host key and a
// config in a temp dir, `sshd -D` in the foreground, killed on teardown.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
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

export async function generateKey(file: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', passphrase = ''): Promise<string> {
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
  /** Extra sshd_config lines (before any Match block they contain). */
  extraConfig?: string;
}

export interface TestSshd {
  address: string;
  port: number;
  hostKeyFile: string;
  /** `type base64` of the host key. */
  hostPublicKey: string;
  logFile: string;
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
  await writeFile(authorizedKeysFile, options.authorizedKeys.join('\n') + '\n', { mode: 0o644 });
  const logFile = join(options.dir, `sshd-${tag}.log`);
  const configFile = join(options.dir, `sshd-${tag}.conf`);
  await writeFile(
    configFile,
    [
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
      options.extraConfig ?? '',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', configFile, '-E', logFile], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForBanner(options.address, port, 5_000),
      exited.then(async () => {
        throw new Error(`sshd exited at start: ${await readFile(logFile, 'utf8').catch(() => '')}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address: options.address,
    port,
    hostKeyFile,
    hostPublicKey: `${type} ${key}`,
    logFile,
    knownHostsLine: (name = port === 22 ? options.address : `[${options.address}]:${port}`) => `${name} ${type} ${key}\n`,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
