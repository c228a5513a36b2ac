/**
 * A batch's Sophos Central gate in words, for every human output: the line when it starts, after
 * each poll, when it ends, and its lines in the recap.
 */
import type { BatchGate, GateProgress } from '../runner/types.ts';

/** "24:10" (minutes:seconds), or "1:02:05" past an hour. */
export function timeLeft(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** "12.4 s", "3.5 min" */
export function waited(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${(seconds / 60).toFixed(1)} min`;
}

export function gateStartLine(batch: number, hosts: string[], deadline: number, now: number): string {
  return `gate: batch ${batch}: waiting up to ${timeLeft(deadline - now)} for ${hosts.length} test alert(s) in Sophos Central (${hosts.join(', ')})`;
}

/** "gate: batch 2: poll 3: 1 of 2 seen, waiting for web-03, 24:10 left" */
export function gateProgressLine(p: GateProgress, now: number): string {
  const total = p.seen.length + p.waiting.length;
  const waiting = p.waiting.length ? `, waiting for ${p.waiting.join(', ')}` : '';
  const error = p.error ? ` (this poll failed: ${p.error})` : '';
  return `gate: batch ${p.batch}: poll ${p.poll}: ${p.seen.length} of ${total} seen${waiting}, ${timeLeft(p.deadline - now)} left${error}`;
}

/** A waiting host's row in a live display. */
export function hostGateTitle(host: string, p: GateProgress, now: number): string {
  const total = p.seen.length + p.waiting.length;
  if (p.seen.includes(host)) return `${host}  Sophos Central: seen (batch ${p.batch}: ${p.seen.length} of ${total})`;
  return `${host}  Sophos Central: waiting (batch ${p.batch}: ${p.seen.length} of ${total} seen, ${timeLeft(p.deadline - now)} left)`;
}

export function gateEndLine(gate: BatchGate): string {
  return `gate: batch ${gate.batch}: ${gate.outcome}: ${gate.message} (waited ${waited(gate.seconds)})`;
}

/** The recap's section: one line per batch gate. */
export function gateRecapLines(gates: readonly BatchGate[] | undefined): string[] {
  if (!gates?.length) return [];
  return [
    '',
    'SOPHOS CENTRAL GATES',
    ...gates.map(
      (g) =>
        `batch ${String(g.batch).padEnd(3)} ${g.outcome.padEnd(19)} waited ${waited(g.seconds).padEnd(9)} ${g.message}`,
    ),
  ];
}
