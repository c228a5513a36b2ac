// The host's journal: one JSON object per line, with the epoch kept so `--since` can filter.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const UNIT = 'sophoslinuxsensor.service';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function journalFile(paths) {
  return join(paths.state, 'journal.jsonl');
}

/** Appends one entry; `ident`/`pid` say who logged it (the daemon or systemd[1]); `unit` whose journal it is. */
export function log(paths, ident, pid, msg, unit = UNIT) {
  const entry = { t: Date.now(), ident, pid, unit, msg };
  // one write per line: O_APPEND keeps concurrent writers from interleaving
  appendFileSync(journalFile(paths), `${JSON.stringify(entry)}\n`);
}

export function readEntries(paths) {
  const file = journalFile(paths);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const pad = (n) => String(n).padStart(2, '0');

/** journalctl's default `short` format, in local time. */
export function formatShort(entry, hostname) {
  const d = new Date(entry.t);
  const stamp = `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${stamp} ${hostname} ${entry.ident}[${entry.pid}]: ${entry.msg}`;
}

export function journalText(paths, hostname) {
  return readEntries(paths)
    .map((e) => `${formatShort(e, hostname)}\n`)
    .join('');
}
