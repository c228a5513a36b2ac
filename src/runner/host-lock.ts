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
  const { session, settings, log } = state;
  const waitS = settings.lock?.waitS ?? 0;
  let waitingSince: number | undefined;
  let waitedFor: string | undefined;
  let stdout = '';
  let stderr = '';
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  state.releaseLock = release;
  return new Promise<Taken>((resolve, reject) => {
    let settled = false;
    // the facts keep the command timeout they always had, after the time the lock may take
    const timeoutMs = settings.commandTimeoutMs;
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () => settle(new CommandTimeoutError('the run lock and the facts', timeoutMs + waitS * 1000)),
            timeoutMs + waitS * 1000,
          );
    const settle = (taken: Taken | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (taken instanceof Error) {
        release();
        return reject(taken);
      }
      if (taken.failure) release();
      resolve(taken);
    };
    const waited = () => (waitingSince === undefined ? 0 : seconds(Date.now() - waitingSince));
    const look = () => {
      for (const line of holderLines(stdout)) {
        if (line.said === 'waiting' && waitingSince === undefined) {
          waitingSince = Date.now();
          waitedFor = describeHolder(line.holder);
          log.waiting(`waiting for ${waitedFor} (up to ${waitS} s, --lock-wait)`);
        } else if (line.said === 'held') {
          const holder = describeHolder(line.holder);
          const report: LockReport = { outcome: 'held', waitedS: waited(), holder };
          return settle({ report, failure: `held by ${holder}; gave up after waiting ${waitS} s (--lock-wait)` });
        } else if (line.said === 'error') {
          const failure = `could not take the run lock: ${line.message}; make it writable or set sls_play_state_dir`;
          return settle({ report: { outcome: 'failed', waitedS: waited() }, failure });
        }
      }
      if (!stdout.includes(`${READY_LINE}\n`) || !stderr.includes(`${READY_LINE}\n`)) return;
      try {
        remember(stdout, stderr);
      } catch (error) {
        return settle(error as Error);
      }
      settle({ report: { outcome: 'taken', waitedS: waited(), ...(waitedFor ? { holder: waitedFor } : {}) } });
    };
    const { done, remember } = session.startHeld(
      ahead,
      (gather) => holderScript(stateDir(state), ownerOf(state), waitS, gather),
      {
        holdStdinUntil: held,
        onStdout: (chunk) => {
          stdout += chunk;
          look();
        },
        onStderr: (chunk) => {
          stderr += chunk;
          look();
        },
      },
    );
    done.then(
      (result) => {
        const said = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
        settle(new Error(`the run lock's command ended early (exit ${result.code}${said ? `: ${said}` : ''})`));
      },
      (error: Error) => settle(error),
    );
  });
}

function stateDir(state: HostState): string | undefined {
  return stateDirOf(state.session.vars);
}
