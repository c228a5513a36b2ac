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
  lockProbeFact,
  READY_LINE,
  type LockOwner,
  type LockRecord,
} from '../remote/run-lock.ts';
import { stateDirOf } from '../tasks/owed/state-dir.ts';
import { CommandTimeoutError } from '../transport/types.ts';
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
