import { clock } from './outcome.ts';
import type { HostWait, WaitResult } from './poller.ts';

export interface ViewOptions {
  out: NodeJS.WritableStream;
  /** redraw one block in place (a terminal) instead of printing a line per change */
  live: boolean;
  verbose: boolean;
  write: (out: NodeJS.WritableStream, text: string) => void;
}

/** One host's line: waiting / seen at HH:MM:SS with the rule / not seen. */
export function hostLine(
  name: string,
  state: HostWait | undefined,
  width: number,
  verbose: boolean,
  final = false,
): string {
  const label = name.padEnd(width);
  if (state?.state === 'seen') {
    const m = state.match;
    const rule = m.rule ? ` (rule: ${m.rule})` : '';
    const detail = verbose
      ? ` [detection ${m.id ?? '?'} at ${m.time}; host from ${m.hostField}, "Alert Tester" from ${m.alertField}]`
      : '';
    return `  ${label}  seen at ${clock(m.time)}${rule}${detail}`;
  }
  return `  ${label}  ${final ? 'not seen' : 'waiting'}`;
}

export function viewBlock(
  names: string[],
  states: Map<string, HostWait>,
  verbose: boolean,
  header: string,
  final = false,
): string[] {
  const width = Math.max(8, ...names.map((n) => n.length));
  return [header, ...names.map((n) => hostLine(n, states.get(n), width, verbose, final))];
}

/** The per-host view of the wait: a block redrawn in place on a terminal, else a line per change. */
export function centralView(names: string[], options: ViewOptions) {
  let drawn = 0;
  const announced = new Set<string>();
  const width = Math.max(8, ...names.map((n) => n.length));
  const draw = (lines: string[]) => {
    const up = drawn > 0 ? `\x1b[${drawn}A` : '';
    options.write(options.out, `${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    drawn = lines.length;
  };
  const count = (states: Map<string, HostWait>) => [...states.values()].filter((s) => s.state === 'seen').length;
  let until = '';
  return {
    start(deadline: number, intervalS: number) {
      until = clock(deadline);
      const header = `Sophos Central: looking for "Alert Tester" from ${names.length} host(s) until ${clock(deadline)} (one query every ${intervalS} s)`;
      if (options.live) draw(viewBlock(names, new Map(), options.verbose, header));
      else options.write(options.out, `${header}\n`);
    },
    poll(poll: number, states: Map<string, HostWait>, error?: string) {
      const header = `Sophos Central: poll ${poll}: ${count(states)} of ${names.length} seen${error ? ` (this poll failed: ${error})` : ''}`;
      if (options.live) return draw(viewBlock(names, states, options.verbose, `${header}, waiting until ${until}`));
      const lines = [header];
      for (const name of names) {
        const state = states.get(name);
        if (state?.state === 'seen' && !announced.has(name)) {
          announced.add(name);
          lines.push(hostLine(name, state, width, options.verbose));
        }
      }
      options.write(options.out, `${lines.join('\n')}\n`);
    },
    finish(result: WaitResult) {
      const seen = count(result.states);
      const why = result.interrupted ? ' (interrupted)' : result.fatal ? ` (${result.fatal})` : '';
      const header = `Sophos Central: ${seen} of ${names.length} test alert(s) seen after ${result.polls} poll(s)${why}`;
      const lines = viewBlock(names, result.states, options.verbose, header, true);
      if (options.live) draw(lines);
      else options.write(options.out, `${lines.join('\n')}\n`);
    },
  };
}
