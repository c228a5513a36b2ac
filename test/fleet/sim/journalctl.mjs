// `journalctl` over the host's journal file: -u, --since/-S, --until/-U, -n, -g, -o, -f.
import { readFileSync } from 'node:fs';
import { insidePaths } from './host.mjs';
import { formatShort, readEntries } from './journal.mjs';
import { exitWithSession } from './session.mjs';

const paths = insidePaths();
const hostname = readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();

const WITH_VALUE = {
  u: 'unit',
  n: 'lines',
  g: 'grep',
  o: 'output',
  S: 'since',
  U: 'until',
  t: 'identifier',
  p: 'priority',
  b: 'boot',
};
const OPTIONAL_VALUE = new Set(['lines', 'boot']);

function parseArgs(argv) {
  const o = { unit: [], lines: null, grep: null, output: 'short', since: null, until: null, follow: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let name;
    let value;
    if (a.startsWith('--')) {
      [name, value] = a.slice(2).split(/=(.*)/s);
      if (name === 'follow') {
        o.follow = true;
        continue;
      }
      if (!['unit', 'lines', 'grep', 'output', 'since', 'until', 'identifier', 'priority', 'boot'].includes(name))
        continue;
      if (value === undefined && !(OPTIONAL_VALUE.has(name) && !/^\d+$/.test(argv[i + 1] ?? ''))) value = argv[++i];
    } else if (a.startsWith('-') && a.length > 1) {
      // short options cluster: `-xeu unit`, `-n20`
      let j = 1;
      for (; j < a.length; j++) {
        const c = a[j];
        if (c === 'f') o.follow = true;
        if (c === 'e' && o.lines === null) o.lines = 1000;
        if (WITH_VALUE[c]) {
          name = WITH_VALUE[c];
          break;
        }
      }
      if (!name) continue;
      value = a.slice(j + 1) || undefined;
      if (value === undefined && !(OPTIONAL_VALUE.has(name) && !/^\d+$/.test(argv[i + 1] ?? ''))) value = argv[++i];
    } else continue;
    if (name === 'unit') o.unit.push(value);
    else if (name === 'lines')
      o.lines = value === undefined ? 10 : value === 'all' ? Infinity : Number(value.replace(/^\+/, ''));
    else if (name in o) o[name] = value;
  }
  return o;
}

function parseTime(text) {
  const now = Date.now();
  if (text.startsWith('@')) return Number(text.slice(1)) * 1000;
  const today = new Date();
  today.setHours(0, 0, 0, 0);
  if (text === 'now') return now;
  if (text === 'today') return today.getTime();
  if (text === 'yesterday') return today.getTime() - 86400000;
  if (text === 'tomorrow') return today.getTime() + 86400000;
  const rel = /^([+-])?(\d+)\s*(s|sec|m|min|h|hour|d|day)?s?( ago)?$/.exec(text.trim());
  if (rel) {
    const unit = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hour: 3600, d: 86400, day: 86400 }[rel[3] ?? 's'];
    const sign = rel[1] === '+' && !rel[4] ? 1 : -1;
    return now + sign * Number(rel[2]) * unit * 1000;
  }
  const abs = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (abs) {
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = abs;
    return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
  }
  process.stderr.write(`Failed to parse timestamp: ${text}\n`);
  process.exit(1);
}

function format(entry, output) {
  if (output === 'cat') return entry.msg;
  if (output === 'json') {
    return JSON.stringify({
      __REALTIME_TIMESTAMP: String(entry.t * 1000),
      _HOSTNAME: hostname,
      SYSLOG_IDENTIFIER: entry.ident,
      _PID: String(entry.pid),
      _SYSTEMD_UNIT: entry.unit,
      MESSAGE: entry.msg,
    });
  }
  return formatShort(entry, hostname);
}

const o = parseArgs(process.argv.slice(2));
const since = o.since === null ? -Infinity : parseTime(o.since);
const until = o.until === null ? Infinity : parseTime(o.until);
const units = o.unit.map((u) => (u.includes('.') ? u : `${u}.service`));
// journalctl's smart case: a pattern with no capitals matches case-insensitively
const grep = o.grep === null ? null : new RegExp(o.grep, o.grep === o.grep.toLowerCase() ? 'i' : '');
const matches = (e) =>
  e.t >= since && e.t <= until && (units.length === 0 || units.includes(e.unit)) && (grep === null || grep.test(e.msg));

const all = readEntries(paths);
let shown = all.filter(matches);
const limit = o.lines ?? (o.follow ? 10 : Infinity);
if (limit !== Infinity) shown = shown.slice(Math.max(0, shown.length - limit));
if (shown.length === 0 && !o.follow && o.output === 'short') process.stdout.write('-- No entries --\n');
for (const e of shown) process.stdout.write(`${format(e, o.output)}\n`);

if (o.follow) {
  let seen = all.length;
  exitWithSession();
  setInterval(() => {
    const now = readEntries(paths);
    for (const e of now.slice(seen)) if (matches(e)) process.stdout.write(`${format(e, o.output)}\n`);
    seen = now.length;
  }, 100);
} else if (grep !== null && shown.length === 0) {
  process.exitCode = 1;
}
