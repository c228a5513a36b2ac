/**
 * The live display for fleets taller than the terminal: finished hosts scroll above as one line
 * each, and under them the hosts at work and the failed ones, with a summary line (done/total,
 * changed, failed, unreachable, elapsed, ETA) that is always the last line on the screen. Redrawn
 * at most ten times a second, whatever the number of hosts; no line is wider than the screen, so
 * the area to redraw is always the lines drawn last time.
 */
import type { RunEvent, StepReport } from '../runner/types.ts';
import { detailLines, hostSummary } from './details.ts';
import { fit, liveLines, screenSize, summaryLine } from './fleet-render.ts';
import { hostFinished, hostStarted, newFleetState, stepStarted, type FleetState } from './fleet-state.ts';
import { recapText } from './recap.ts';
import { gateEndLine, gateStartLine, hostGateTitle } from './gate-lines.ts';
import type { Reporter, ReporterOptions } from './reporter.ts';
import { redact } from './secrets.ts';

export interface FleetViewOptions extends ReporterOptions {
  now?: () => number;
  redrawMs?: number;
}

const ERASE_BELOW = '\x1b[J';
const up = (n: number) => (n > 0 ? `\x1b[${n}A` : '');

export function fleetViewReporter(options: FleetViewOptions): Reporter {
  const stream = options.out as NodeJS.WriteStream;
  const now = options.now ?? Date.now;
  let state: FleetState | undefined;
  const steps = new Map<string, StepReport[]>();
  let scrolled: string[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  let recap: string | undefined;

  /** Replaces the live area: new scrolled lines first, then the live lines (the cursor stays on the last). */
  const draw = (final: boolean) => {
    if (!state) return;
    const size = screenSize(stream);
    let out = drawn > 0 ? `\r${up(drawn - 1)}${ERASE_BELOW}` : '';
    for (const line of scrolled) out += `${fit(redact(line), size.columns)}\n`;
    scrolled = [];
    const live = final
      ? [summaryLine(state, now(), size.columns)]
      : liveLines(state, size, now()).map((l) => fit(redact(l), size.columns));
    out += live.join('\n');
    drawn = live.length;
    stream.write(final ? `${out}\n` : out);
  };

  const listener = (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
        state = newFleetState(event.hosts.length, now());
        if (event.check) stream.write('CHECK MODE: nothing will be changed\n');
        timer = setInterval(() => draw(false), options.redrawMs ?? 100);
        timer.unref();
        break;
      case 'host-start':
        if (state) hostStarted(state, event.host);
        break;
      case 'step-start':
        if (state) stepStarted(state, event.host, event.step);
        break;
      case 'step-end':
        steps.set(event.host, [...(steps.get(event.host) ?? []), event.step]);
        break;
      case 'host-end': {
        const line = hostSummary(event.host, event.report);
        if (state) hostFinished(state, event.host, event.report, line);
        scrolled.push(line);
        break;
      }
      case 'gate-start':
        if (state) scrolled.push(gateStartLine(event.batch, event.hosts, event.deadline, now()));
        break;
      case 'gate-progress':
        for (const host of event.progress.waiting)
          if (state) stepStarted(state, host, hostGateTitle(host, event.progress, now()).slice(host.length + 2));
        break;
      case 'gate-end':
        scrolled.push(gateEndLine(event.gate));
        break;
      case 'run-end':
        recap = recapText(event.report);
        break;
      default:
        break;
    }
  };

  const finish = async () => {
    if (timer) clearInterval(timer);
    draw(true);
    const lines = [...steps].flatMap(([host, list]) => detailLines(host, list, options.diff));
    if (lines.length) stream.write(redact(`\n${lines.join('\n')}\n`));
    if (recap) stream.write(redact(recap));
  };
  // above the live area, as a scrolled line, so the area is still redrawn in place
  const note = (text: string) => {
    scrolled.push(...text.trim().split('\n'));
    draw(false);
  };
  return { listener, finish, note };
}
