import { owedReason, parseRecord, serialiseRecord, type OwedEntry } from './record.ts';

/** The run that records entries: its id and start time go into every entry it adds. */
export interface RunIdentity {
  id: string;
  startedAt: string;
}

/** What the host's record should become: its new content, or null to remove it. */
export interface PendingRecord {
  content: string | null;
  handlers: readonly string[];
}

const sameEntries = (a: readonly OwedEntry[], b: readonly OwedEntry[]) => JSON.stringify(a) === JSON.stringify(b);

/**
 * One host's owed handlers during a run: what the host's record holds (as far as this run knows)
 * and what it should hold. Pure bookkeeping; the session sends `pending()` with its next command.
 */
export class OwedLedger {
  /** What the host's file holds; 'unknown' after a damaged read or a command that was cut off. */
  private onDisk: readonly OwedEntry[] | 'unknown' = [];
  private desired: OwedEntry[] = [];
  /** What an earlier run left owed, as read at the start of this one. */
  inherited: OwedEntry[] = [];
  readonly warnings: string[] = [];

  constructor(
    readonly playbook: string,
    private readonly handlerNames: readonly string[],
    private readonly run: RunIdentity,
    /** Where the record lives, for messages. */
    readonly where: string,
  ) {}

  /** Takes in what the first round trip read (null: no record). Returns the entries still owed. */
  load(text: string | null): OwedEntry[] {
    if (text === null) return [];
    const parsed = parseRecord(text);
    if (!parsed.ok) {
      this.onDisk = 'unknown';
      this.warnings.push(
        `the owed-handlers record ${this.where} is damaged (${parsed.problem}): it was ignored and is removed by this run`,
      );
      return [];
    }
    this.onDisk = parsed.record.owed;
    const seen = new Set<string>();
    for (const entry of parsed.record.owed) {
      if (seen.has(entry.handler)) continue;
      seen.add(entry.handler);
      if (this.handlerNames.includes(entry.handler)) this.desired.push(entry);
      else
        this.warnings.push(
          `the owed-handlers record names "${entry.handler}", which playbook "${this.playbook}" has no handler for any more: cleared`,
        );
    }
    this.inherited = [...this.desired];
    return this.inherited;
  }

  owes(handler: string): boolean {
    return this.desired.some((e) => e.handler === handler);
  }

  /** The handlers owed now, in the order they were first owed. */
  get owed(): string[] {
    return this.desired.map((e) => e.handler);
  }

  /** Records that `notifiedBy` is about to notify these handlers; returns the ones newly owed. */
  owe(handlers: readonly string[], notifiedBy: string): string[] {
    const added = handlers.filter((h) => !this.owes(h));
    for (const handler of added) this.desired.push({ handler, notifiedBy, run: this.run.id, at: this.run.startedAt });
    return added;
  }

  /** These handlers are no longer owed (they ran successfully, or will never run on this host). */
  clear(handlers: readonly string[]): void {
    this.desired = this.desired.filter((e) => !handlers.includes(e.handler));
  }

  /** Why an inherited handler runs in this run, or undefined when this run notified it itself. */
  inheritedReason(handler: string): string | undefined {
    const entry = this.inherited.find((e) => e.handler === handler);
    return entry && owedReason(entry);
  }

  /** The record's content once these handlers are cleared too (null: no record left). */
  contentWithout(handlers: readonly string[]): string | null {
    const rest = this.desired.filter((e) => !handlers.includes(e.handler));
    return rest.length ? serialiseRecord(this.playbook, rest) : null;
  }

  /** What the host's record must become before the next command, when it differs from what it holds. */
  pending(): PendingRecord | undefined {
    if (this.onDisk !== 'unknown' && sameEntries(this.onDisk, this.desired)) return undefined;
    const handlers = this.owed;
    return { content: this.desired.length ? serialiseRecord(this.playbook, this.desired) : null, handlers };
  }

  /** The pending record reached the host. */
  written(): void {
    this.onDisk = [...this.desired];
  }

  /** A command carrying the record was cut off: whether it arrived is not known. */
  lost(): void {
    this.onDisk = 'unknown';
  }
}
