import { doneCount, type FleetState } from './fleet-state.ts';

/** A terminal's size; a pty that reports 0 (some CI runners) gets 80×24, not one character per line. */
export interface ScreenSize {
  columns: number;
  rows: number;
}

export function screenSize(stream: { columns?: number; rows?: number }): ScreenSize {
  const columns = stream.columns && stream.columns > 0 ? stream.columns : 80;
  const rows = stream.rows && stream.rows > 0 ? stream.rows : 24;
  return { columns, rows };
}

const clock = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
};

/** Cut to the screen's width (one column spare, so a full line never wraps and shifts the display). */
export const fit = (line: string, columns: number) =>
  line.length < columns ? line : `${line.slice(0, Math.max(1, columns - 2))}…`;

/**
 * `37/200 done, 12 changed, 2 failed, 1 unreachable, 30 running, 0:12 elapsed, ETA 0:48`: the
 * first of three wordings, from the fullest, that fits the width, so it is never cut.
 */
export function summaryLine(state: FleetState, now: number, columns = 80): string {
  const done = doneCount(state);
  const elapsed = clock(now - state.startedAt);
  const eta =
    done >= state.total
      ? 'done'
      : done > 0
        ? `ETA ${clock(((now - state.startedAt) / done) * (state.total - done))}`
        : 'ETA --:--';
  const d = state.done;
  const progress = `${done}/${state.total} done`;
  const running = state.running.size;
  const wordings = [
    `${progress}, ${d.changed} changed, ${d.failed} failed, ${d.unreachable} unreachable, ${running} running, ${elapsed} elapsed, ${eta}`,
    `${progress}, ${d.changed} changed, ${d.failed} failed, ${d.unreachable} unreachable, ${running} running, ${elapsed}, ${eta}`,
    `${progress} chg ${d.changed} fail ${d.failed} unr ${d.unreachable} run ${running} ${elapsed} ${eta}`,
  ];
  return wordings.find((w) => w.length < columns) ?? fit(wordings.at(-1)!, columns);
}

/**
 * The live area under the scrolled lines: the running hosts, then the failed ones, as many as
 * fit above the summary line (which is always shown, last); what does not fit is counted.
 */
export function liveLines(state: FleetState, size: ScreenSize, now: number): string[] {
  // the summary line, and one row spare so drawing never scrolls the live area itself
  const room = Math.max(0, size.rows - 2);
  const running = [...state.running].map(([host, step]) => `  ${host}  ${step}…`);
  const failed = state.failed.map((f) => f.line);
  let lines: string[];
  if (running.length + failed.length <= room) lines = [...running, ...failed];
  else {
    // failures matter most, but never more than half the room; the rest is the running hosts
    const failedRoom = Math.min(failed.length, Math.floor(room / 2));
    const runningRoom = room - failedRoom - 1;
    const shownFailed = failed.slice(failed.length - failedRoom);
    const shownRunning = running.slice(0, Math.max(0, runningRoom));
    const hidden = running.length - shownRunning.length;
    const hiddenFailed = failed.length - shownFailed.length;
    const more = [hidden ? `${hidden} more running` : '', hiddenFailed ? `${hiddenFailed} more failed (above)` : '']
      .filter(Boolean)
      .join(', ');
    lines = [...shownRunning, `  … ${more}`, ...shownFailed];
  }
  return [...lines.map((line) => fit(line, size.columns)), summaryLine(state, now, size.columns)];
}
