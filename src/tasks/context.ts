import type { Vars } from '../inventory/types.ts';
import { gatherScript, parseFact, splitGathered, type Fact, type FactValues, type RawFact } from '../remote/facts.ts';
import { writeFileAtomic } from '../remote/write-file.ts';
import { shellCommand } from '../remote/quote.ts';
import type { Connection, ExecOptions, ExecResult } from '../transport/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import { writeStateFileScript } from '../remote/state-file.ts';
import type { OwedLedger, PendingRecord } from './owed/ledger.ts';
import type { ApplyContext, Host, PlanContext } from './types.ts';

export interface TaskContextSettings {
  check: boolean;
  diff: boolean;
  /** Per-command timeout applied when a command gives none. */
  commandTimeoutMs?: number;
  /** Run commands through become (sudo) when the host's settings enable it. */
  become: boolean;
}

const STATE_FAILED = '__sls_play_state_write_failed__';

/** The owed-handlers record could not be written before a change: the change is not made. */
export class OwedRecordError extends Error {
  constructor(where: string, reason: string) {
    super(
      `could not record the owed handlers in ${where} (${reason}), so nothing was changed: make that directory writable or set sls_play_state_dir`,
    );
    this.name = 'OwedRecordError';
  }
}

/** The -v line for a record going to the host. */
const recordLine = (pending: PendingRecord) =>
  pending.handlers.length
    ? `(recording owed handlers: ${pending.handlers.join(', ')})`
    : '(clearing the owed-handlers record)';

/**
 * A command sent with the run lock taken inside it (see runner/host-lock.ts): what goes to the
 * host instead, and what the command's own result was once the lock's lines are parted from it
 * (throws when the lock was not taken). `end` is called once the command is over, however.
 * Undefined: the lock was taken another way, and the command goes as it is.
 */
export type LockedCommand = (
  command: string,
  options: ExecOptions,
) => Promise<
  { command: string; options: ExecOptions; settle(result: ExecResult): ExecResult; end(): void } | undefined
>;

/** Where the host's owed-handlers record is kept, and the ledger of what it should hold. */
export interface OwedState {
  ledger: OwedLedger;
  dir: string | undefined;
  file: string;
}

/**
 * The per-host session of a run: one connection, the facts read so far (keyed by command, so two
 * tasks asking for the same file read it once), and the contexts handed to plans and applies.
 */
export class HostSession {
  private readonly factCache = new Map<string, RawFact>();
  private readonly riders: Fact<unknown>[] = [];
  facts: Record<string, unknown> = {};
  /**
   * The owed-handlers record: a change to it rides along, first, with the next command sent to
   * the host (the write a handler is owed for, or whatever comes next), so it costs no round trip
   * of its own. Never in check mode.
   */
  owed?: OwedState;
  /** The run lock, taken inside the next command sent (a run whose one command is the user's); used once. */
  lockNext?: LockedCommand;

  constructor(
    readonly name: string,
    readonly vars: Vars,
    private readonly connection: Connection,
    private readonly settings: TaskContextSettings,
    private readonly log: (line: string) => void,
    /** Every command's output passes here first: a key read from a host becomes a secret. */
    private readonly redactor: Redactor,
  ) {}

  get host(): Host {
    return {
      name: this.name,
      vars: this.vars,
      facts: this.facts,
      check: this.settings.check,
      registerSecret: (value) => this.redactor.register(value),
    };
  }

  private async exec(command: string, options: ExecOptions, become: boolean | undefined): Promise<ExecResult> {
    const asRoot = become ?? this.settings.become;
    const pending = this.settings.check ? undefined : this.owed?.ledger.pending();
    // The record is written as the session's default user: a task that asks for another one
    // gets the record in a command of its own first.
    if (pending && asRoot !== this.settings.become) await this.flushOwed();
    const carried = pending && asRoot === this.settings.become ? pending : undefined;
    this.log(`$ ${command}`);
    if (carried) this.log(recordLine(carried));
    const sent = carried
      ? `if ! ${writeStateFileScript(this.owed!.dir, this.owed!.file, carried.content)}; then printf '\\n%s\\n' ${STATE_FAILED} >&2; exit 97; fi\n${command}`
      : command;
    const plain = { timeoutMs: this.settings.commandTimeoutMs, become: asRoot, ...options };
    const lockNext = this.lockNext;
    this.lockNext = undefined;
    const locked = await lockNext?.(sent, plain);
    let result: ExecResult;
    try {
      result = await this.connection.exec(locked?.command ?? sent, locked?.options ?? plain);
    } catch (error) {
      if (carried) this.owed!.ledger.lost();
      throw error;
    } finally {
      locked?.end();
    }
    if (locked) result = locked.settle(result);
    if (carried) this.settle(result);
    this.redactor.registerApiKeysIn(result.stdout);
    this.redactor.registerApiKeysIn(result.stderr);
    if (result.stdout.trim()) this.log(result.stdout.trimEnd());
    if (result.stderr.trim()) this.log(result.stderr.trimEnd());
    if (result.code !== 0) this.log(`exit ${result.code}`);
    return result;
  }

  /** After a command that carried the record: it arrived, or the command was not run at all. */
  private settle(result: ExecResult): void {
    const at = result.stderr.indexOf(STATE_FAILED);
    if (at < 0) {
      this.owed!.ledger.written();
      return;
    }
    const reason = result.stderr.slice(0, at).trim().split('\n').pop() || `exit ${result.code}`;
    throw new OwedRecordError(this.owed!.ledger.where, reason);
  }

  /** Brings the host's owed-handlers record up to date in a command of its own, when it is not. */
  async flushOwed(): Promise<void> {
    const pending = this.settings.check ? undefined : this.owed?.ledger.pending();
    if (!pending) return;
    const { dir, file, ledger } = this.owed!;
    this.log(recordLine(pending));
    let result: ExecResult;
    try {
      result = await this.connection.exec(writeStateFileScript(dir, file, pending.content), {
        timeoutMs: this.settings.commandTimeoutMs,
        become: this.settings.become,
      });
    } catch (error) {
      ledger.lost();
      throw error;
    }
    if (result.code !== 0)
      throw new OwedRecordError(ledger.where, result.stderr.trim().split('\n').pop() || `exit ${result.code}`);
    ledger.written();
  }

  /**
   * A fact read with whichever facts the session reads next, in the same command (the run lock's
   * look): it costs no command of its own. `readIfGathered` gives its value once it was read.
   */
  rideAlong(fact: Fact<unknown>): void {
    this.riders.push(fact);
  }

  /** A fact's value when a command has read it already; undefined when none has. */
  readIfGathered<T>(name: string, fact: Fact<T>): T | undefined {
    const raw = this.factCache.get(fact.command);
    return raw === undefined ? undefined : parseFact(name, fact, raw);
  }

  /** Runs every fact not read yet in one command and remembers the answers. */
  async prefetch(facts: Iterable<Fact<unknown>>, become?: boolean): Promise<void> {
    const wanted = [...facts].map((f) => f.command);
    if (wanted.some((c) => !this.factCache.has(c))) wanted.push(...this.riders.splice(0).map((f) => f.command));
    const missing = [...new Set(wanted)].filter((c) => !this.factCache.has(c));
    if (missing.length === 0) return;
    const names = missing.map((_, i) => `f${i}`);
    const result = await this.exec(gatherScript(Object.fromEntries(names.map((n, i) => [n, missing[i]!]))), {}, become);
    const raw = splitGathered(result.stdout, result.stderr, names);
    for (const [i, command] of missing.entries()) this.factCache.set(command, raw[names[i]!]!);
  }

  /**
   * Starts a command that stays open (the run lock's holder, see remote/run-lock.ts) with every
   * fact not read yet gathered inside it: `build` wraps the facts' script. Its answers are
   * remembered once `remember` is given what the command printed up to its ready line.
   */
  startHeld(
    facts: Iterable<Fact<unknown>>,
    build: (gather: string) => string,
    options: ExecOptions,
  ): { done: Promise<ExecResult>; remember(stdout: string, stderr: string): void } {
    const missing = [...new Set([...facts].map((f) => f.command))].filter((c) => !this.factCache.has(c));
    const names = missing.map((_, i) => `f${i}`);
    const command = build(gatherScript(Object.fromEntries(names.map((n, i) => [n, missing[i]!]))));
    this.log(`$ ${command}`);
    const done = this.connection.exec(command, { become: this.settings.become, timeoutMs: 0, ...options });
    const remember = (stdout: string, stderr: string) => {
      this.redactor.registerApiKeysIn(stdout);
      this.redactor.registerApiKeysIn(stderr);
      if (stdout.trim()) this.log(stdout.trimEnd());
      if (stderr.trim()) this.log(stderr.trimEnd());
      const raw = splitGathered(stdout, stderr, names);
      for (const [i, command] of missing.entries()) this.factCache.set(command, raw[names[i]!]!);
    };
    return { done, remember };
  }

  async gather<F extends Record<string, Fact<unknown>>>(facts: F, become?: boolean): Promise<FactValues<F>> {
    await this.prefetch(Object.values(facts), become);
    const out: Record<string, unknown> = {};
    for (const [name, fact] of Object.entries(facts))
      out[name] = parseFact(name, fact, this.factCache.get(fact.command)!);
    return out as FactValues<F>;
  }

  /** After a change on the host, what was read before may be stale. */
  forgetFacts(): void {
    this.factCache.clear();
  }

  planContext(become?: boolean): PlanContext {
    const read = (command: string, options: ExecOptions = {}) => this.exec(command, options, become);
    return {
      ...this.host,
      diff: this.settings.diff,
      read,
      $: (pieces, ...values) => read(shellCommand(pieces, values)),
      gather: (facts) => this.gather(facts, become),
      registerSecret: (value) => this.redactor.register(value),
      log: this.log,
    };
  }

  applyContext(become?: boolean): ApplyContext {
    const plan = this.planContext(become);
    const exec = (command: string, options: ExecOptions = {}) => this.exec(command, options, become);
    return {
      ...plan,
      exec,
      writeFile: (path, content, options) => writeFileAtomic({ exec }, path, content, options.mode, options),
    };
  }
}
