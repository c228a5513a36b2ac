import type { Vars } from '../inventory/types.ts';
import { gatherScript, parseFact, splitGathered, type Fact, type FactValues, type RawFact } from '../modules/facts.ts';
import { writeFileAtomic } from '../modules/write-file.ts';
import { shellCommand } from '../playbook/quote.ts';
import type { Connection, ExecOptions, ExecResult } from '../transport/types.ts';
import type { Redactor } from '../secrets/redactor.ts';
import type { ApplyContext, Host, PlanContext } from './types.ts';

export interface TaskContextSettings {
  check: boolean;
  diff: boolean;
  /** Per-command timeout applied when a command gives none. */
  commandTimeoutMs?: number;
  /** Run commands through become (sudo) when the host's settings enable it. */
  become: boolean;
}

/**
 * The per-host session of a run: one connection, the facts read so far (keyed by command, so two
 * tasks asking for the same file read it once), and the contexts handed to plans and applies.
 */
export class HostSession {
  private readonly factCache = new Map<string, RawFact>();
  facts: Record<string, unknown> = {};

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
    return { name: this.name, vars: this.vars, facts: this.facts, check: this.settings.check, registerSecret: (value) => this.redactor.register(value) };
  }

  private async exec(command: string, options: ExecOptions, become: boolean | undefined): Promise<ExecResult> {
    this.log(`$ ${command}`);
    const result = await this.connection.exec(command, {
      timeoutMs: this.settings.commandTimeoutMs,
      become: become ?? this.settings.become,
      ...options,
    });
    this.redactor.registerApiKeysIn(result.stdout);
    this.redactor.registerApiKeysIn(result.stderr);
    if (result.stdout.trim()) this.log(result.stdout.trimEnd());
    if (result.stderr.trim()) this.log(result.stderr.trimEnd());
    if (result.code !== 0) this.log(`exit ${result.code}`);
    return result;
  }

  /** Runs every fact not read yet in one command and remembers the answers. */
  async prefetch(facts: Iterable<Fact<unknown>>, become?: boolean): Promise<void> {
    const missing = [...new Set([...facts].map((f) => f.command))].filter((c) => !this.factCache.has(c));
    if (missing.length === 0) return;
    const names = missing.map((_, i) => `f${i}`);
    const result = await this.exec(gatherScript(Object.fromEntries(names.map((n, i) => [n, missing[i]!]))), {}, become);
    const raw = splitGathered(result.stdout, result.stderr, names);
    missing.forEach((command, i) => this.factCache.set(command, raw[names[i]!]!));
  }

  async gather<F extends Record<string, Fact<unknown>>>(facts: F, become?: boolean): Promise<FactValues<F>> {
    await this.prefetch(Object.values(facts), become);
    const out: Record<string, unknown> = {};
    for (const [name, fact] of Object.entries(facts)) out[name] = parseFact(name, fact, this.factCache.get(fact.command)!);
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
