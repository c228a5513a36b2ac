import type { Vars } from '../inventory/types.ts';
import type { Fact, FactValues } from '../remote/facts.ts';
import type { Host, Task } from '../tasks/types.ts';

/** How a step (one task on one host) ended. */
export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped';
/** How a host's run ended: a step's status, or `unreachable` when it could not be connected to. */
export type HostStatus = StepStatus | 'unreachable';

/** What a task ended with. A task never prints: the runner turns results into events. */
export interface StepResult {
  /** `ok` (nothing to do), `changed`, `failed` or `skipped`. */
  status: StepStatus;
  /** One sentence; for a failure: what is wrong and what to do. */
  message: string;
  /** Unified diff of a file change, secrets masked (rendered once, by the framework). */
  diff?: string;
  /** Shown beside an ok/changed result (e.g. "only one certificate pair"). */
  warnings?: string[];
  /** For ad hoc commands: the command's exit code and output. */
  rc?: number;
  /** The command's standard output (secrets masked). */
  stdout?: string;
  /** The command's standard error (secrets masked). */
  stderr?: string;
  /** Read-only facts for `status`. */
  facts?: Record<string, unknown>;
  /** How the host differs from what it should be (a read-only audit's findings). */
  drift?: string[];
}

/** A playbook's facts: name → fact, all gathered in one command per host. */
export type FactSet = Record<string, Fact<unknown>>;

/** A playbook: what `playbook({ … })` takes and returns, and what a playbook file's default export must be. `F`: its facts, typed for `tasks(host)` and `describeFacts`. */
export interface Playbook<F extends FactSet = FactSet> {
  /** Shown in the task list and the recap (`--list-tasks`, the JSON document). */
  name: string;
  /**
   * Checks the variables of every selected host before any host is touched; throws
   * `PlaybookInputError` for a missing or bad variable (exit status 5).
   */
  validate?(vars: Vars, host: string): void;
  /** Facts gathered once per host, in one command, before the first task ("gather facts"). */
  facts?(vars: Vars): F;
  /** The "gather facts" line: what the facts say in a few words. */
  describeFacts?(facts: FactValues<F>): string;
  /** The tasks, in order: a list, or a function of the host (its vars and gathered facts). */
  tasks: readonly Task[] | ((host: Host<FactValues<F>>) => readonly Task[]);
  /** Run after the tasks, in declaration order, each at most once, when notified by a change. */
  handlers?: readonly Task[];
}

// The playbook contract names its input error; the class lives on the bottom floor, where tasks can throw it too.
export { PlaybookInputError } from '../base/input-error.ts';
