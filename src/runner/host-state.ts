/**
 * What one host's run holds while its phases run (see host-run.ts), and the few things every
 * phase does with a task: report its step, skip it on `when`, plan and apply it.
 */
import type { Playbook } from '../playbook/types.ts';
import type { HostSession, OwedState } from '../tasks/context.ts';
import type { Task, Written } from '../tasks/types.ts';
import { handlersNotifiedBy, whenSkips, withWhy } from './decisions.ts';
import { selectedByTags } from './tags.ts';
import { applyChange, recoverFailure, runTask } from './task-step.ts';
import type { HostRunSettings, LockReport, Planned, RunListener, StepReport } from './types.ts';

/** The steps a host reported, each told to the listeners as it starts and ends. */
export class StepLog {
  readonly steps: StepReport[] = [];

  constructor(
    readonly host: string,
    private readonly emit: RunListener,
  ) {}

  start(name: string): void {
    this.emit({ type: 'step-start', host: this.host, step: name });
  }

  /** Another run holds the host: said once, and shown as what the host is doing. */
  waiting(text: string): void {
    this.emit({ type: 'waiting', host: this.host, text });
    this.emit({ type: 'step-start', host: this.host, step: text });
  }

  end(step: StepReport): StepReport {
    this.steps.push(step);
    this.emit({ type: 'step-end', host: this.host, step });
    return step;
  }
}

export class HostState {
  /** Handler names and `listen` topics notified so far: by a change, or owed by an earlier run. */
  readonly notified = new Set<string>();
  /** What each task wrote on the host in this run, so a failing handler's `onFailure.restore` can undo it. */
  readonly writes = new Map<Task, Written>();
  /** Handlers that already ran in the batched command: the one-by-one pass leaves them out. */
  readonly ran = new Set<Task>();
  /** The playbook's handlers, in declaration order (the order they run in). */
  readonly handlers: readonly Task[];
  /** The host's owed-handlers record and its ledger (a playbook with handlers only), from the gather phase on. */
  owed: OwedState | undefined;
  /** Why the host's run ended early (an interrupt, `--force-handlers`), for the recap. */
  reason: string | undefined;
  /** The run lock on this host, once the first command has answered. */
  lock: LockReport | undefined;
  /** Lets the host go: ends the run lock's holder (see host-lock.ts); nothing when none is held. */
  releaseLock: () => void = () => undefined;

  constructor(
    readonly session: HostSession,
    readonly playbook: Playbook,
    readonly settings: HostRunSettings,
    readonly log: StepLog,
    /** True once SIGINT/SIGTERM stopped the run: no new task starts. */
    readonly interrupted: () => boolean,
  ) {
    this.handlers = playbook.handlers ?? [];
  }

  /** Selected by `--tags` / `--skip-tags`. */
  wanted(task: Task): boolean {
    return selectedByTags(task.tags, this.settings);
  }

  /** The skipped (or, for a `when` that throws, failed) step when the task's `when` rules it out here. */
  skipped(task: Task): StepReport | undefined {
    return whenSkips(task, this.session.host);
  }

  /** The handler names a task's change reaches. */
  notifiedBy(task: Task): string[] {
    return handlersNotifiedBy(task, this.handlers);
  }

  /** Reports a finished step; a change notifies the task's handlers. */
  ended(task: Task, step: StepReport, why?: string): StepReport {
    if (step.status === 'changed') for (const name of task.notify) this.notified.add(name);
    return this.log.end(withWhy(step, why));
  }

  /** Plans and (never in check mode) applies one task as a step of its own; a failure may undo and retry. */
  async runOne(task: Task, why?: string): Promise<StepReport> {
    this.log.start(task.name);
    return this.ended(task, await runTask(task, this.session, this.settings, this.writes, this.notifiedBy(task)), why);
  }

  /** Applies a planned change (its handlers owed first), undoing and retrying on failure when the task says so. */
  async applyPlanned(task: Task, planned: Planned): Promise<StepReport> {
    const { session, settings, writes } = this;
    const step =
      'step' in planned ? planned.step : await applyChange(task, planned, session, writes, this.notifiedBy(task));
    return this.ended(task, await recoverFailure(task, step, session, settings, writes));
  }
}
