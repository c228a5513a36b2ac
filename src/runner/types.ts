/**
 * The runner's shared words: what a run is given (targets, settings), what a step plans and
 * reports, and what the run tells its listeners. Every runner file imports them from here, so no
 * two runner files need each other for a type.
 */
import type { Vars } from '../inventory/types.ts';
import type { HostStatus, StepResult, StepStatus } from '../playbook/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import type { TaskContextSettings } from '../tasks/context.ts';
import type { RunIdentity } from '../tasks/owed/ledger.ts';
import type { OwedEntry } from '../tasks/owed/record.ts';
import type { Plan, Task } from '../tasks/types.ts';
import type { TagFilter } from './tags.ts';

/** A host to run on: its inventory name and variables. */
export interface HostTarget {
  name: string;
  vars: Vars;
}

export interface HostRunSettings extends TaskContextSettings, TagFilter {
  /** This run's secrets: output read from hosts registers keys in it; diffs are masked with it. */
  redactor: Redactor;
  /** The run, as owed-handler records name it (made by runPlaybook when not given). */
  run?: RunIdentity;
  /** `--force-handlers`: run the handlers notified so far even after a task failed on the host. */
  forceHandlers?: boolean;
  /** The per-host run lock: taken by a run that changes hosts, looked at by a read-only one; none when absent. */
  lock?: RunLockSettings;
  /** `--start-at-task`: the tasks before the first one of this name are skipped. */
  startAtTask?: string;
  /** `--step`: asked before each task; false skips it. */
  step?: (task: string) => Promise<boolean>;
}

export interface RunLockSettings {
  /** `take`: hold each host while the run works on it; `look`: only say whether a run holds it. */
  mode: 'take' | 'look';
  /** How long to wait for a host another run holds (--lock-wait), in seconds. */
  waitS: number;
  /** `user@controller`, shown to the runs that meet this one. */
  by: string;
}

/** What became of the run lock on a host. */
export interface LockReport {
  /**
   * `taken`: this run held the host; `held`: another run held it past --lock-wait (the host
   * failed); `in-progress` / `free`: what a read-only run saw; `failed`: it could not be taken.
   */
  outcome: 'taken' | 'held' | 'in-progress' | 'free' | 'failed';
  /** Seconds spent waiting for another run to let the host go. */
  waitedS: number;
  /** The other run (the one waited for, or found holding the host): "run <id> of user@controller since <time>". */
  holder?: string;
}

export type ChangePlan = Extract<Plan, { status: 'change' }>;

/** A planned task: a finished step (nothing to do, failed, or check mode), or a change to make. */
export type Planned = { step: StepReport } | { change: ChangePlan; base: StepReport };

/** A task's change as one part of a command that carries the handlers it notifies too. */
export interface BatchPart {
  task: Task;
  change: ChangePlan;
}

export interface StepReport extends Omit<StepResult, 'status'> {
  name: string;
  status: StepStatus | 'unreachable';
}

export interface HostReport {
  status: HostStatus;
  steps: StepReport[];
  /** Why a host was skipped or unreachable, for the recap. */
  reason?: string;
  /** Facts the steps read (status), merged. */
  facts?: Record<string, unknown>;
  /** How the host differs from what it should be, from its steps' findings (status): shown as drift. */
  drift?: string[];
  /** Handlers an earlier run left owed on this host, found when this run started. */
  owedAtStart?: OwedEntry[];
  /** Handlers still owed on this host when this run left it (the next run runs them). */
  stillOwed?: string[];
  /** The run lock on this host (when the run takes or looks at it). */
  lock?: LockReport;
}

export interface Summary {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

export interface RunReport {
  hosts: Record<string, HostReport>;
  summary: Summary;
  /** True when the run was stopped by SIGINT/SIGTERM. */
  interrupted?: boolean;
  /** Each rolling batch's gate (`--serial` with `--central`): what it waited for, how long, and how it ended. */
  gates?: BatchGate[];
}

/** How a batch's gate ended: its hosts seen, one not seen in time, Ctrl-C, or no host raised an alert to look for. */
export type GateOutcome = 'passed' | 'failed' | 'interrupted' | 'nothing to wait for';

/** A batch's gate: the next batch starts only once it passed (or the failures stay under --max-fail-percentage). */
export interface BatchGate {
  /** 1 for the first batch. */
  batch: number;
  /** The batch's hosts waited for (those whose test alert ran in this run). */
  hosts: string[];
  seen: string[];
  notSeen: string[];
  outcome: GateOutcome;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** Queries made (one per poll, for the whole batch). */
  polls: number;
  /** The outcome in words, e.g. "1 of 2 seen in Sophos Central within 25 min". */
  message: string;
}

/** A gate under way, after each poll: for live displays. */
export interface GateProgress {
  batch: number;
  seen: string[];
  waiting: string[];
  /** Epoch ms when the gate stops waiting. */
  deadline: number;
  poll: number;
  /** Why the last poll could not read Central (tried again at the next). */
  error?: string;
}

/** What a gate check gets: the batch's finished hosts, and where to tell its progress. */
export interface GateRequest {
  batch: number;
  reports: ReadonlyMap<string, HostReport>;
  /** The batch's hosts began at this time (epoch ms): alerts raised earlier do not count. */
  since: number;
  signal?: AbortSignal;
  /** The gate waits for these hosts until `deadline` (epoch ms), each shown as step `step`. */
  started(hosts: string[], deadline: number, step: string): void;
  progress(progress: GateProgress): void;
}

/** The gate's verdict: its summary, and a step for each host waited for. */
export interface GateResult {
  gate: BatchGate;
  steps: ReadonlyMap<string, StepReport>;
}

/** Waits for a batch's evidence (alerts in Sophos Central) before the next batch may start. */
export type BatchGateCheck = (request: GateRequest) => Promise<GateResult>;

/** The runner's only output. Reporters listen; they never steer the run. */
export type RunEvent =
  | { type: 'run-start'; hosts: string[]; check: boolean }
  | { type: 'host-start'; host: string }
  | { type: 'step-start'; host: string; step: string }
  | { type: 'step-end'; host: string; step: StepReport }
  | { type: 'log'; host: string; line: string }
  /** The host is held by another run; this one waits (--lock-wait). */
  | { type: 'waiting'; host: string; text: string }
  | { type: 'host-end'; host: string; report: HostReport }
  | { type: 'gate-start'; batch: number; hosts: string[]; deadline: number }
  | { type: 'gate-progress'; progress: GateProgress }
  | { type: 'gate-end'; gate: BatchGate }
  | { type: 'run-end'; report: RunReport };

export type RunListener = (event: RunEvent) => void;
