/**
 * The run lock on one host (see remote/run-lock.ts for how the host keeps it): a run that changes
 * the host takes it in its first command, the facts, and holds that command's channel open until
 * it leaves the host; a read-only run (check mode, `status`) only looks, and plans against what it
 * reads. A run that meets a held host waits up to --lock-wait seconds, then fails that host.
 */
import type { Fact } from '../remote/facts.ts';
import {
  describeHolder,
  holderLines,
  holderScript,
  lockedCommandScript,
  lockPrelude,
  lockProbeFact,
  READY_LINE,
  RunLockError,
  type LockOwner,
  type LockRecord,
} from '../remote/run-lock.ts';
import type { LockedCommand } from '../tasks/context.ts';
import { stateDirOf } from '../tasks/owed/state-dir.ts';
import { CommandTimeoutError, type ExecResult } from '../transport/types.ts';
import type { HostState } from './host-state.ts';
import type { LockReport } from './types.ts';

/** Where the host's lock stands once the first command has answered. */
type Taken = { report: LockReport; failure?: string };

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** The look a read-only run takes (check mode, `status`): a fact that rides with the others. */
export function lockLook(state: HostState): Fact<LockRecord | null> | undefined {
  const lock = state.settings.lock;
  if (lock?.mode !== 'look') return undefined;
  return lockProbeFact(stateDirOf(state.session.vars));
}

/**
 * What a read-only run saw, once a command has read it (else nothing yet): a step saying a run is
 * in progress, and the report's lock entry. Said once.
 */
export function lockSeen(state: HostState): void {
  const look = lockLook(state);
  if (!look || state.lock) return;
  const holder = state.session.readIfGathered('run lock', look);
  if (holder !== undefined) lookedAt(state, holder);
}

function lookedAt(state: HostState, holder: LockRecord | null): void {
  state.lock = {
    outcome: holder ? 'in-progress' : 'free',
    waitedS: 0,
    ...(holder ? { holder: describeHolder(holder) } : {}),
  };
  if (!holder) return;
  const also = state.settings.check ? '; this check plans against what the host holds now' : '';
  state.log.end({ name: 'run lock', status: 'ok', message: `a run is in progress: ${describeHolder(holder)}${also}` });
}

/** The holder's owner record for this run. */
function ownerOf(state: HostState): LockOwner {
  const run = state.settings.run ?? { id: 'unknown', startedAt: new Date().toISOString() };
  return { run: run.id, by: state.settings.lock?.by ?? 'unknown', since: run.startedAt };
}

/**
 * Takes the lock in the host's first command, with `ahead` gathered inside it once the lock is
 * ours. Resolves when the holder is ready (facts remembered), refused (another run kept the host
 * past --lock-wait) or failed; the holder's channel stays open until `state.releaseLock()`.
 */
export function takeLock(state: HostState, ahead: readonly Fact<unknown>[]): Promise<Taken> {
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  state.releaseLock = release;
  return new Promise<Taken>((resolve, reject) => {
    const taking = new Taking(state, (taken) => {
      // a holder that will not hold (refused, failed, cut off) is ended at once
      if (taken instanceof Error || taken.failure) release();
      if (taken instanceof Error) reject(taken);
      else resolve(taken);
    });
    const { session, settings } = state;
    const { done, remember } = session.startHeld(
      ahead,
      (gather) => holderScript(stateDirOf(session.vars), ownerOf(state), taking.waitS, gather),
      {
        holdStdinUntil: held,
        onStdout: (chunk) => taking.stdout(chunk, remember),
        onStderr: (chunk) => taking.stderr(chunk, remember),
      },
    );
    done.then(
      (result) => {
        const said = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
        taking.settle(new Error(`the run lock's command ended early (exit ${result.code}${said ? `: ${said}` : ''})`));
      },
      (error: Error) => taking.settle(error),
    );
    // the facts keep the command timeout they always had, after the time the lock may take
    if (settings.commandTimeoutMs !== undefined) {
      const ms = settings.commandTimeoutMs + taking.waitS * 1000;
      taking.timer = setTimeout(() => taking.settle(new CommandTimeoutError('the run lock and the facts', ms)), ms);
    }
  });
}

/** Reads the holder's lines as they arrive, until it is ready, refused or failed. */
class Taking {
  readonly waitS: number;
  timer: NodeJS.Timeout | undefined;
  private out = '';
  private err = '';
  private settled = false;
  private waitingSince: number | undefined;
  private waitedFor: string | undefined;

  constructor(
    private readonly state: HostState,
    private readonly done: (taken: Taken | Error) => void,
  ) {
    this.waitS = state.settings.lock?.waitS ?? 0;
  }

  stdout(chunk: string, remember: Remember): void {
    this.out += chunk;
    this.look(remember);
  }

  stderr(chunk: string, remember: Remember): void {
    this.err += chunk;
    this.look(remember);
  }

  settle(taken: Taken | Error): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.done(taken);
  }

  private waited(): number {
    return this.waitingSince === undefined ? 0 : seconds(Date.now() - this.waitingSince);
  }

  private look(remember: Remember): void {
    for (const line of holderLines(this.out)) {
      if (line.said === 'waiting' && this.waitingSince === undefined) {
        this.waitingSince = Date.now();
        this.waitedFor = describeHolder(line.holder);
        this.state.log.waiting(`waiting for ${this.waitedFor} (up to ${this.waitS} s, --lock-wait)`);
      } else if (line.said === 'held') {
        const holder = describeHolder(line.holder);
        const failure = `held by ${holder}; gave up after waiting ${this.waitS} s (--lock-wait)`;
        this.settle({ report: { outcome: 'held', waitedS: this.waited(), holder }, failure });
        return;
      } else if (line.said === 'error') {
        const failure = `could not take the run lock: ${line.message}; make it writable or set sls_play_state_dir`;
        this.settle({ report: { outcome: 'failed', waitedS: this.waited() }, failure });
        return;
      }
    }
    // the facts' answers are whole once the ready line is on both streams
    if (!this.out.includes(`${READY_LINE}\n`) || !this.err.includes(`${READY_LINE}\n`)) return;
    try {
      remember(this.out, this.err);
    } catch (error) {
      this.settle(error as Error);
      return;
    }
    const holder = this.waitedFor ? { holder: this.waitedFor } : {};
    this.settle({ report: { outcome: 'taken', waitedS: this.waited(), ...holder } });
  }
}

type Remember = (stdout: string, stderr: string) => void;

/**
 * The lock taken inside the run's one command (a run that reads no facts first and sends one
 * command: `exec`, `run` with `command`), so that it costs no command of its own: the command
 * waits for the lock on the host (saying so as the holder does), runs with it held, and releases it
 * as it ends. A host another run keeps past --lock-wait fails with a `run lock` step.
 */
export function lockInCommand(state: HostState): LockedCommand {
  return async (command, options) => {
    // a command fed on stdin (a secret) keeps it: the lock's holder goes first, as a command of its own
    if (options.stdin !== undefined) {
      const taken = await takeLock(state, []);
      state.lock = taken.report;
      if (taken.failure) throw new RunLockError(taken.failure);
      return undefined;
    }
    const prelude = new Prelude(state);
    let end: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (end = resolve));
    // the command keeps its timeout, after the time the lock may take
    const timeoutMs = options.timeoutMs ? options.timeoutMs + prelude.waitS * 1000 : options.timeoutMs;
    const onStdout = (chunk: string) => {
      options.onStdout?.(chunk);
      prelude.stdout(chunk);
    };
    return {
      command: lockedCommandScript(stateDirOf(state.session.vars), ownerOf(state), prelude.waitS, command),
      options: { ...options, timeoutMs, onStdout, holdStdinUntil: held },
      settle: (result) => prelude.settle(result),
      end,
    };
  };
}

/** The lock's lines ahead of a locked command's output: the wait said as it starts, the outcome at the end. */
class Prelude {
  readonly waitS: number;
  private seen = '';
  private waitingSince: number | undefined;
  private waitedFor: string | undefined;

  constructor(private readonly state: HostState) {
    this.waitS = state.settings.lock?.waitS ?? 0;
  }

  stdout(chunk: string): void {
    if (this.waitingSince !== undefined || this.seen.length > 4096) return;
    this.seen += chunk;
    const waiting = lockPrelude(this.seen).says.find((line) => line.said === 'waiting');
    if (waiting?.said !== 'waiting') return;
    this.waitingSince = Date.now();
    this.waitedFor = describeHolder(waiting.holder);
    this.state.log.waiting(`waiting for ${this.waitedFor} (up to ${this.waitS} s, --lock-wait)`);
  }

  /** The command's own result once the lock was taken; else the host's lock report, and a `run lock` failure. */
  settle(result: ExecResult): ExecResult {
    const { says, rest } = lockPrelude(result.stdout);
    const last = says[says.length - 1];
    const waitedS = this.waitingSince === undefined ? 0 : seconds(Date.now() - this.waitingSince);
    if (last?.said === 'taken') {
      this.state.lock = { outcome: 'taken', waitedS, ...(this.waitedFor ? { holder: this.waitedFor } : {}) };
      return { ...result, stdout: rest };
    }
    if (last?.said === 'held') {
      const holder = describeHolder(last.holder);
      this.state.lock = { outcome: 'held', waitedS, holder };
      throw new RunLockError(`held by ${holder}; gave up after waiting ${this.waitS} s (--lock-wait)`);
    }
    this.state.lock = { outcome: 'failed', waitedS };
    if (last?.said === 'error')
      throw new RunLockError(
        `could not take the run lock: ${last.message}; make it writable or set sls_play_state_dir`,
      );
    const said = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
    throw new RunLockError(`the run lock's command ended early (exit ${result.code}${said ? `: ${said}` : ''})`);
  }
}
