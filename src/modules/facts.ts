import { shellQuote } from '../playbook/quote.ts';
import type { HostContext } from '../playbook/types.ts';

/**
 * A fact is a command plus a function that reads its output. Several facts are gathered in ONE
 * remote command (one round trip), each section fenced by marker lines that carry its exit code.
 */
export interface Fact<T> {
  command: string;
  parse(output: string, exitCode: number): T;
}

export type FactValues<F extends Record<string, Fact<unknown>>> = { [K in keyof F]: F[K] extends Fact<infer T> ? T : never };

const MARK = '__sls_play_fact__';

export function gatherScript(facts: Record<string, Fact<unknown>>): string {
  return Object.entries(facts)
    .map(([name, fact]) => `printf '%s\\n' '${MARK} begin ${name}'; ( ${fact.command} ); printf '\\n${MARK} end ${name} %s\\n' "$?"`)
    .join('\n');
}

/** Reads each section back exactly as the command printed it (the newline before the end marker is ours). */
export function parseGathered<F extends Record<string, Fact<unknown>>>(output: string, facts: F): FactValues<F> {
  const out: Record<string, unknown> = {};
  const section = new RegExp(`^${MARK} begin (\\S+)\\n([\\s\\S]*?)\\n${MARK} end \\1 (\\d+)$`, 'gm');
  for (const match of output.matchAll(section)) {
    const fact = facts[match[1]!];
    if (fact) out[match[1]!] = fact.parse(match[2]!, Number(match[3]));
  }
  for (const name of Object.keys(facts)) {
    if (!(name in out)) throw new Error(`reading facts: no answer for "${name}" (the host's shell output was cut short)`);
  }
  return out as FactValues<F>;
}

/** Gathers every fact in one command and stores the results in `ctx.facts`. */
export async function gatherFacts<F extends Record<string, Fact<unknown>>>(ctx: HostContext, facts: F): Promise<FactValues<F>> {
  const result = await ctx.exec(gatherScript(facts));
  const values = parseGathered(result.stdout, facts);
  Object.assign(ctx.facts, values);
  return values;
}

/** A file's content and mode, or null when it does not exist. */
export interface FileState {
  content: string;
  mode: number;
}

export function fileFact(path: string): Fact<FileState | null> {
  const p = shellQuote(path);
  return {
    // The mode line comes first; the content follows verbatim.
    command: `if [ -f ${p} ]; then stat -c '%a' ${p} && cat ${p}; else echo absent; fi`,
    parse(output) {
      if (output.trimEnd() === 'absent') return null;
      const newline = output.indexOf('\n');
      const modeText = newline < 0 ? output : output.slice(0, newline);
      return { mode: parseInt(modeText, 8), content: newline < 0 ? '' : output.slice(newline + 1) };
    },
  };
}
