import type { Vars } from '../inventory/types.ts';
import type { Fact, FactValues } from '../remote/facts.ts';
import type { WriteRecord, WriteResult } from '../remote/write-file.ts';
import type { Secret } from '../secrets/secret.ts';
import type { CommandTimeoutError, ExecOptions, ExecResult } from '../transport/types.ts';

/** What every task sees of the host it runs on, in `when`, parameters and the playbook's `tasks`. */
export interface Host<F = Record<string, unknown>> {
  /** Inventory name. */
  readonly name: string;
  /** Merged variables: inventory, group_vars, host_vars, then `-e`. */
  readonly vars: Vars;
  /** The playbook's facts, gathered once (one command) before the first task. */
  readonly facts: F;
  /** `--check`: the run reports what would change and changes nothing. */
  readonly check: boolean;
  /**
   * Masks a value in every output of the run from now on. A task's `facts(host)` runs before the
   * host is first read: a secret the task writes is registered there, so reading the file back
   * (the facts, shown by -v) cannot print it.
   */
  registerSecret?(value: string | Secret): void;
}

/** A task parameter: a value, or a function of the host that gives it (like `{{ }}` in Ansible). */
export type Param<T> = T | ((host: Host) => T);

/**
 * What a module may do while planning: read. Commands run here must not change the host: the
 * plan is also the whole of a `--check` run.
 */
export interface PlanContext extends Host {
  /** `--diff`: the run shows the before/after of every file change. */
  readonly diff: boolean;
  /** Runs a read-only command; resolves whatever its exit code. */
  read(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** `read` with every interpolated value shell-quoted (a Secret is refused). */
  $(pieces: TemplateStringsArray, ...values: unknown[]): Promise<ExecResult>;
  /** Facts in one command; facts already read for this host (same command) come from memory. */
  gather<F extends Record<string, Fact<unknown>>>(facts: F): Promise<FactValues<F>>;
  /** A line of detail for `-v`. */
  log(line: string): void;
  /** Masks this value in every output of the run from now on (e.g. a secret about to be written). */
  registerSecret(value: string | Secret): void;
}

/** What a module may do once the runner decided to apply its change (never in `--check`). */
export interface ApplyContext extends PlanContext {
  /** Runs a command that may change the host; resolves whatever its exit code. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Atomic write: temp file beside the target, length verified, one rename; backup when asked. */
  writeFile(
    path: string,
    content: string,
    options: { mode: number; backup: boolean; owner?: string; group?: string },
  ): Promise<WriteResult>;
}

/** The before/after of a text file, rendered as a unified diff by the framework (secrets masked). */
export interface FileDiff {
  /** The file's path on the host. */
  path: string;
  /** Its text now; null when there is no file yet. */
  before: string | null;
  /** Its text after the change. */
  after: string;
  /** Keys whose scalar values are secret in this file (masked on both sides), e.g. `api_key`. */
  secretKeys?: readonly string[];
}

/** What every plan says, whatever its module: the step's message and what it found. */
export interface PlanBase {
  /** The step's one-line message (what is, or what would change). */
  message: string;
  /** Things the user should know that do not fail the step. */
  warnings?: string[];
  /** Read-only facts to report (`status`). */
  facts?: Record<string, unknown>;
  /** How the host differs from what it should be, in words (a read-only audit's findings): shown as drift. */
  drift?: string[];
  /** A read-only command's exit code and output. */
  rc?: number;
  /** A read-only command's standard output (secrets redacted when shown). */
  stdout?: string;
  /** A read-only command's standard error (secrets redacted when shown). */
  stderr?: string;
}

/**
 * A change made by one remote command, where exit status 0 means it succeeded. The runner may send
 * it in one round trip with the handlers it notifies, each part run only if the one before exited
 * 0; a part that needs stdin is sent first or on its own.
 */
export interface RemoteChange {
  /** The shell command that makes the change, every value in it quoted once. */
  command: string;
  /** Sent to its standard input (a file's content: never on the command line). */
  stdin?: string;
  /** Its own bound in milliseconds, when it should not be the run's `--task-timeout`. */
  timeoutMs?: number;
  /** What the command's answer means; must report a failure for every non-zero exit status. */
  interpret(result: ExecResult): Applied;
  /** Exit status 0 always means something changed (so the handlers it notifies may be sent along with it). */
  changes?: boolean;
  /** The command ran past its timeout. */
  timedOut?(error: CommandTimeoutError): Applied;
}

/** What a task's plan decided: nothing to do (`ok`), `failed`, `skipped`, or a `change` with how to apply it. */
export type Plan =
  | (PlanBase & { status: 'ok' | 'failed' | 'skipped' })
  | (PlanBase & {
      status: 'change';
      /** What would change, in words ("change /etc/motd: content"): check mode prints "would …". */
      message: string;
      /** The file's before and after, for `--diff` (secrets masked by the framework). */
      diff?: FileDiff;
      /** Makes the change; called by the runner only, never in `--check`. */
      apply(ctx: ApplyContext): Promise<Applied>;
      /** The same change as one remote command (`remoteChange` builds the `apply` from it). */
      remote?: RemoteChange;
    });

/** A file a task wrote, and how to undo it. */
export type Written = WriteRecord & { path: string };

/** What an apply did. */
export interface Applied {
  /** Replaces the plan's message once done ("rewritten (backup …)"). */
  message?: string;
  /** The apply failed: what happened and what to do. Whatever it wrote is still recorded. */
  failed?: string;
  /** The file it wrote, so a handler's `onFailure.restore` can undo exactly that. */
  wrote?: Written;
  /** A command's exit code and output, shown with `-v` and in the JSON document. */
  rc?: number;
  /** A command's standard output. */
  stdout?: string;
  /** Its standard error. */
  stderr?: string;
  /** Shown beside the result. */
  warnings?: string[];
  /** It ran but changed nothing (a command's `changedWhen` said so): reported ok, notifies nothing. */
  unchanged?: boolean;
}

/** Options every task takes. */
export interface TaskOptions {
  /** Shown in the task list and the recap; defaults to the module and its main parameter. */
  name?: string;
  /** Runs the task only where this is true. */
  when?: (host: Host) => boolean;
  /** Handlers (by name or `listen` topic) to run once, after the tasks, when this task changed something. */
  notify?: string | readonly string[];
  /** A handler answers to these topics besides its name (as Ansible's `listen`). */
  listen?: string | readonly string[];
  /** `--tags` / `--skip-tags` select tasks by these. */
  tags?: readonly string[];
  /** Run this task's commands through sudo (default: the host's `ansible_become`). */
  become?: boolean;
  /**
   * When this task fails: undo what `restore` (another task) wrote on this host in this run, then
   * run this task once more. A task that wrote nothing is not undone.
   */
  onFailure?: { restore: Task };
}

/** A task is a value the runner can inspect and plan; only the runner applies it. */
export interface Task {
  /** Shown in the task list and the recap; what `notify` names for a handler. */
  readonly name: string;
  /** The module's name (`file`, `service`, …) for `--list-tasks` and ad hoc runs. */
  readonly module: string;
  /** Runs the task only where this is true. */
  readonly when?: (host: Host) => boolean;
  /** Handlers (names or `listen` topics) it notifies when it changed something. */
  readonly notify: readonly string[];
  /** Topics a handler answers to besides its name. */
  readonly listen: readonly string[];
  /** For `--tags` and `--skip-tags`. */
  readonly tags: readonly string[];
  /** Through sudo (undefined: the host's `ansible_become`). */
  readonly become?: boolean;
  /** When it fails: undo what `restore` wrote on this host in this run, then try once more. */
  readonly onFailure?: { restore: Task };
  /** Facts the plan will ask for, gathered ahead with the playbook's (one round trip). */
  facts?(host: Host): Record<string, Fact<unknown>>;
  /**
   * True when the plan reads nothing the tasks may change on the host (a restart, a test): as a
   * handler, it can then be planned before the tasks apply and sent with the change notifying it.
   */
  plansAhead?(host: Host): boolean;
  /** Reads the host and decides; changes nothing (it is the whole of a `--check` run). */
  plan(ctx: PlanContext): Promise<Plan>;
}
