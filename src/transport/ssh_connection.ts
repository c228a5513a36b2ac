import type { ClientChannel } from 'ssh2';
import type { Client } from './ssh2.ts';
import { killCommand, planExec } from './exec_plan.ts';
import { collect, type StartedProcess } from './run.ts';
import { Semaphore } from './semaphore.ts';
import { UnreachableError, type Connection, type ConnectOptions, type ExecOptions, type ExecResult } from './types.ts';

/** Below sshd's default MaxSessions (10), leaving room for the odd extra channel. */
export const CHANNELS_PER_CONNECTION = 8;

// ssh2's Channel.signal() sends nothing once our side of the channel is ended, and we end it
// as soon as stdin is written. The request itself is valid then, so send it the same way.
interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _client?: { _protocol?: { signal(channelId: number, signal: string): void } };
}

function signalChannel(channel: ClientChannel, signal: string): void {
  const internals = channel as unknown as ChannelInternals;
  const outgoing = internals.outgoing;
  // after our EOF the channel is still open for requests
  if (outgoing === undefined || (outgoing.state !== 'open' && outgoing.state !== 'eof')) return;
  internals._client?._protocol?.signal(outgoing.id, signal);
}

function started(channel: ClientChannel, kill: () => void): StartedProcess {
  const done = new Promise<number>((resolve, reject) => {
    let exit: number | undefined;
    channel.on('exit', (code: number | null) => (exit = code ?? 255));
    channel.on('close', () => {
      // sshd always reports an exit status or signal before closing; without one, the link died.
      if (exit === undefined) reject(new UnreachableError('disconnected', 'channel closed without an exit status'));
      else resolve(exit);
    });
  });
  done.catch(() => undefined);
  return {
    stdout: channel,
    stderr: channel.stderr,
    stdin: channel,
    done,
    terminate() {
      try {
        // sshd sends it to the command's whole process group. TERM rather than KILL: sudo
        // relays TERM to the command it runs, while KILL would leave that command orphaned.
        signalChannel(channel, 'TERM');
      } catch {
        // the channel may already be gone
      }
      kill();
      channel.close();
    },
  };
}

/** Frees a channel slot when its command ends, or after a minute at most; the timer goes with it. */
function releaseWhenDone(done: Promise<number>, release: () => void): void {
  const timer = setTimeout(release, 60_000);
  timer.unref();
  void done
    .catch(() => undefined)
    .then(() => {
      clearTimeout(timer);
      release();
    });
}

/** One SSH connection (through its bastions, if any) carrying every command for one host. */
export class SshConnection implements Connection {
  readonly host: string;
  private readonly channels = new Semaphore(CHANNELS_PER_CONNECTION);
  private lostBecause: string | undefined;
  private readonly onLost = new Set<(why: string) => void>();
  private closing = false;
  private readonly closed = new Set<Client>();

  /** `clients`: the bastions outermost first, then the target. */
  constructor(
    private readonly options: ConnectOptions,
    private readonly clients: Client[],
  ) {
    this.host = options.name;
    for (const client of clients) {
      client.on('error', (error: Error) => this.lose(error.message));
      client.on('close', () => {
        this.closed.add(client);
        this.lose('the connection closed');
      });
    }
  }

  private get target(): Client {
    return this.clients[this.clients.length - 1]!;
  }

  private get where(): string {
    return `${this.options.user}@${this.options.address}:${this.options.port}`;
  }

  private lose(why: string): void {
    if (this.lostBecause !== undefined) return;
    this.lostBecause = this.closing ? 'the connection was closed' : why;
    for (const notify of this.onLost) notify(this.lostBecause);
    // A dead bastion takes the target with it, and the other way round.
    for (const client of this.clients) client.end();
  }

  private lostError(command: string): UnreachableError {
    return new UnreachableError(
      'disconnected',
      `connection to ${this.where} lost (${this.lostBecause ?? 'the channel closed without an exit status'}) while running: ${command}; the host may have rebooted or sshd restarted`,
    );
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const release = await this.channels.acquire();
    let process: StartedProcess | undefined;
    try {
      if (this.lostBecause !== undefined) throw this.lostError(command);
      const { wire, spec, pid } = planExec(command, options, this.options);
      const kill = (): void => {
        const group = pid();
        if (group === undefined || this.lostBecause !== undefined) return;
        this.target.exec(killCommand(group), (error, stream) => {
          if (!error) stream.resume().stderr.resume();
        });
      };
      // The exit status may arrive in the same read as the channel's opening: listen for it at once.
      process = await new Promise<StartedProcess>((resolve, reject) => {
        this.target.exec(wire, (error, stream) => {
          if (!error) return resolve(started(stream, kill));
          if (this.lostBecause !== undefined) return reject(this.lostError(command));
          reject(new Error(`could not open an SSH channel on ${this.where} for: ${command} (${error.message})`));
        });
      });
      let stopWaiting: (why: string) => void = () => undefined;
      const lost = new Promise<never>((_, reject) => {
        stopWaiting = () => reject(this.lostError(command));
        this.onLost.add(stopWaiting);
      });
      try {
        return await Promise.race([collect(process, spec), lost]);
      } catch (error) {
        // A channel that closed without a status is the connection going, whichever event came first.
        if (error instanceof UnreachableError && error.reason === 'disconnected') throw this.lostError(command);
        throw error;
      } finally {
        this.onLost.delete(stopWaiting);
      }
    } finally {
      // The slot is free once sshd has closed the channel. A stopped command's channel closes
      // only when the command ends (sshd refuses signals to root sessions without privilege
      // separation), so give it up after a while rather than shrink this connection for good.
      if (process === undefined) release();
      else releaseWhenDone(process.done, release);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const closed = this.clients
      .filter((client) => !this.closed.has(client))
      .map(
        (client) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 2_000);
            timer.unref();
            client.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      );
    for (const client of [...this.clients].reverse()) client.end();
    await Promise.all(closed);
  }
}
