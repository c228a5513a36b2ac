import type { Vars } from '../inventory/types.ts';
import type { ExecOptions, ExecResult } from '../transport/types.ts';

export type StepStatus = 'ok' | 'changed' | 'failed' | 'skipped';
export type HostStatus = StepStatus | 'unreachable';

/** What a step returns. A step never prints: the runner turns results into events. */
export interface StepResult {
  status: StepStatus;
  /** One sentence; for a failure: what is wrong and what to do. */
  message: string;
  /** Unified diff of a file change (redacted by the reporters, but steps redact secrets they know too). */
  diff?: string;
  /** Shown beside an ok/changed result (e.g. "only one certificate pair"). */
  warnings?: string[];
  /** For ad hoc commands: the command's exit code and output. */
  rc?: number;
  stdout?: string;
  stderr?: string;
  /** Read-only facts for `status`. */
  facts?: Record<string, unknown>;
}

/** The per-host context every step gets. */
export interface HostContext {
  /** Inventory name of the host. */
  readonly name: string;
  /** The host's merged variables (inventory, group_vars, host_vars, extra vars). */
  readonly vars: Vars;
  /** `--check`: read only, change nothing. */
  readonly check: boolean;
  /** `--diff`: steps should attach diffs of file changes. */
  readonly diff: boolean;
  /**
   * Runs a command on the host; every interpolated value is shell-quoted, so a variable can never
   * become shell syntax. Resolves with the result whatever the exit code.
   */
  $(pieces: TemplateStringsArray, ...values: unknown[]): Promise<ExecResult>;
  /** Runs a command line as it is (no quoting): for commands the user typed. */
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Shared between the steps and handlers of this host (e.g. the backup path for a rollback). */
  readonly facts: Record<string, unknown>;
  /** Queues a handler by name; it runs once, after the steps, if the host has not failed. */
  notify(handler: string): void;
  /** A line of detail for `-v` (redacted by the reporters). */
  log(line: string): void;
}

export interface StepDefinition {
  name: string;
  run(ctx: HostContext): Promise<StepResult>;
}

export interface Playbook {
  name: string;
  /**
   * Checks the variables of every selected host before any host is touched; throws
   * `PlaybookInputError` for a missing or bad variable (exit status 5).
   */
  validate?(vars: Vars, host: string): void;
  steps: StepDefinition[];
  /** Run in declaration order, each at most once, when notified; a handler may notify later ones. */
  handlers?: StepDefinition[];
}

/** Bad or missing variables: reported before any host is touched, exit status 5. */
export class PlaybookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaybookInputError';
  }
}
