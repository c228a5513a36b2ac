/**
 * The per-host run lock, in shell: one run at a time changes a host.
 *
 * The lock is held by the host's first command, which stays open for the whole run: it takes the
 * lock, gathers the run's facts, says `ready`, then reads its standard input until the end. Its
 * standard input is the SSH channel, so the lock lives exactly as long as the run's connection:
 * the controller ends it when it leaves the host, and sshd ends it when the connection dies (a
 * SIGKILLed controller, a dropped link). Nothing has to be proved stale.
 *
 * - With `flock` (util-linux or busybox): a `flock` on `run.lock` in the state directory, held on
 *   a descriptor of the holder shell; the kernel drops it when the holder exits, however it exits.
 *   `run.owner` (replaced atomically) says whose run holds it.
 * - Without `flock`: a `mkdir run.lock.d` lock whose `owner` file has the run, the holder's pid and
 *   an expiry the holder pushes forward every minute. The holder removes it when it ends; a later
 *   run takes it over when its pid is gone or its expiry has passed (a holder killed with KILL).
 */
import type { Fact } from './facts.ts';
import { shellQuote } from './quote.ts';
import { stateDirAssignment } from './state-file.ts';

/** Who is running: written on the host while the run holds it, shown to the runs that meet it. */
export interface LockOwner {
  run: string;
  /** `user@controller` */
  by: string;
  /** ISO time the run started. */
  since: string;
}

/** What a holder's record says (pid and expiry are the host's). */
export type LockRecord = Partial<LockOwner> & { pid?: string };

const MARK = '__sls_play_lock__';
/** How long a `mkdir` lock lives without its holder pushing its expiry on (seconds). */
const MKDIR_TTL_S = 180;

/** The lines the holder prints on stdout as it goes. */
export type HolderSays =
  | { said: 'waiting'; holder: LockRecord }
  | { said: 'held'; holder: LockRecord }
  | { said: 'taken' }
  | { said: 'ready' }
  | { said: 'error'; message: string };

/** The marker line the holder prints once the facts are out, on both streams. */
export const READY_LINE = `${MARK} ready`;

/** Reads `run=… by=… since=… pid=…` (the record on one line) into its fields. */
export function parseRecord(text: string): LockRecord {
  const record: Record<string, string> = {};
  for (const word of text.trim().split(/\s+/)) {
    const eq = word.indexOf('=');
    if (eq > 0) record[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return { run: record.run, by: record.by, since: record.since, pid: record.pid };
}

/** Every holder line in `stdout` so far, in order. */
export function holderLines(stdout: string): HolderSays[] {
  const out: HolderSays[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(`${MARK} `)) continue;
    const [said, ...rest] = line.slice(MARK.length + 1).split(' ');
    const text = rest.join(' ');
    if (said === 'waiting' || said === 'held') out.push({ said, holder: parseRecord(text) });
    else if (said === 'taken' || said === 'ready') out.push({ said });
    else if (said === 'error') out.push({ said, message: text });
  }
  return out;
}

/**
 * A user with no writable home (`-b --become-user nobody`: HOME=/nonexistent) keeps its lock in
 * /tmp/sls-play-<uid>, but only in a real directory of its own that no one else may enter
 * (`private_dir`, checked again once the holder has made it): one that another user made first,
 * or a link, is refused with its name. Nothing is made here: `status` and `--check` only look.
 */
const PRIVATE_TMP_FALLBACK = [
  `private_dir() { [ ! -L "$1" ] && [ "$(ls -ldn -- "$1" 2>/dev/null | awk -v u="$(id -u)" '$1 ~ /^drwx------/ && $3 == u { print "yes" }')" = yes ]; }`,
  `if [ "$(id -u)" != 0 ] && [ ! -d "$d" ] && ! { [ -d "$HOME" ] && [ -w "$HOME" ]; }; then`,
  `  d="/tmp/sls-play-$(id -u)"; t=1`,
  'fi',
].join('\n');

/** The shell functions both the holder and the probe use: `locked_by` prints a live holder's record. */
function lockFunctions(dir: string | undefined): string {
  return [
    stateDirAssignment(dir),
    ...(dir === undefined ? [PRIVATE_TMP_FALLBACK] : []),
    `M=${MARK}; f="$d/run.lock"; l="$d/run.lock.d"`,
    'if command -v flock >/dev/null 2>&1; then o="$d/run.owner"; else o="$l/owner"; fi',
    `rec() { tr '\\n' ' ' < "$o" 2>/dev/null; }`,
    // a mkdir lock is stale when its holder is gone, its expiry passed, or it never got an owner
    'stale() {',
    `  p=$(sed -n 's/^pid=//p' "$o" 2>/dev/null); e=$(sed -n 's/^expires=//p' "$o" 2>/dev/null)`,
    '  if [ -n "$p" ] && [ ! -d "/proc/$p" ]; then return 0; fi',
    '  if [ -n "$e" ] && [ "$(date +%s)" -gt "$e" ]; then return 0; fi',
    '  [ -z "$p" ] && [ -n "$(find "$l" -maxdepth 0 -mmin +1 2>/dev/null)" ]',
    '}',
  ].join('\n');
}

/** The owner's record as the holder writes it (`$$` is the holder shell). */
function ownerRecord(owner: LockOwner, expires: boolean): string {
  const fields = `run=%s\\nby=%s\\nsince=%s\\npid=%s\\n${expires ? 'expires=%s\\n' : ''}`;
  const values = [owner.run, owner.by, owner.since].map(shellQuote).join(' ');
  return `printf '${fields}' ${values} "$$"${expires ? ` "$(( $(date +%s) + ${MKDIR_TTL_S} ))"` : ''}`;
}

/** Takes the lock, waiting up to `waitS` seconds; prints `taken`, or `held` and exits. */
function acquire(owner: LockOwner, waitS: number): string {
  return [
    `if ! ( umask 077 && mkdir -p -- "$d" ) 2>/dev/null; then printf '%s error %s\\n' "$M" "cannot create the state directory $d"; exit 0; fi`,
    `if [ -n "$t" ] && ! private_dir "$d"; then printf '%s error %s\\n' "$M" "$d is not a private directory of this user (a link, or made by another user)"; exit 0; fi`,
    'if command -v flock >/dev/null 2>&1; then',
    `  if ! ( umask 077 && touch -- "$f" ) 2>/dev/null; then printf '%s error %s\\n' "$M" "cannot write $f"; exit 0; fi`,
    '  exec 9>>"$f"',
    '  try_lock() { flock -n 9; }',
    'else',
    `  try_lock() { mkdir "$l" 2>/dev/null && return 0; stale || return 1; rm -rf -- "$l"; mkdir "$l" 2>/dev/null; }`,
    'fi',
    'waited=0',
    'while ! try_lock; do',
    `  if [ "$waited" -ge ${waitS} ]; then printf '%s held %s\\n' "$M" "$(rec)"; exit 0; fi`,
    `  if [ "$waited" -eq 0 ]; then printf '%s waiting %s\\n' "$M" "$(rec)"; fi`,
    '  sleep 1; waited=$((waited + 1))',
    'done',
    'if [ -d "$l" ] && ! command -v flock >/dev/null 2>&1; then',
    `  trap 'rm -rf -- "$l"' EXIT; trap 'exit 1' HUP INT TERM PIPE`,
    `  ${ownerRecord(owner, true)} > "$o"`,
    // pushes the expiry on while the holder lives; its output goes nowhere, so it holds no channel
    `  ( while sleep 60 && [ -d "/proc/$$" ] && [ -d "$l" ]; do ${ownerRecord(owner, true)} > "$o.new" && mv -f -- "$o.new" "$o"; done ) </dev/null >/dev/null 2>&1 &`,
    'else',
    `  ${ownerRecord(owner, false)} > "$o.$$" && mv -f -- "$o.$$" "$o"`,
    'fi',
    `printf '%s taken\\n' "$M"`,
  ].join('\n');
}

/**
 * The holder: takes the lock (waiting up to `waitS` seconds), runs `gather` (the facts' script,
 * without the lock's descriptor), prints the ready line on both streams, then holds the lock
 * until its standard input ends.
 */
export function holderScript(dir: string | undefined, owner: LockOwner, waitS: number, gather: string): string {
  return [
    lockFunctions(dir),
    acquire(owner, waitS),
    `{ :\n${gather}\n} 9>&- </dev/null`,
    `printf '%s\\n' '${READY_LINE}'; printf '%s\\n' '${READY_LINE}' >&2`,
    'cat >/dev/null',
  ].join('\n');
}

/** A read-only look at the lock (check mode, `status`): the live holder's record, or null when free. */
export function lockProbeFact(dir: string | undefined): Fact<LockRecord | null> {
  return {
    command: [
      lockFunctions(dir),
      'if command -v flock >/dev/null 2>&1; then',
      '  [ -f "$f" ] || exit 0',
      '  if ( flock -n 9 ) 9<"$f" 2>/dev/null; then exit 0; fi',
      'else',
      '  [ -d "$l" ] || exit 0',
      '  if stale; then exit 0; fi',
      'fi',
      `printf 'held %s\\n' "$(rec)"`,
    ].join('\n'),
    parse(output) {
      return output.startsWith('held ') ? parseRecord(output.slice('held '.length)) : null;
    },
  };
}

/** "run 1a2b3c4d of alice@ci-01 since 2026-12-07T01:30:00Z", with what is known of it. */
export function describeHolder(holder: LockRecord): string {
  const run = holder.run ? `run ${holder.run}` : 'another run';
  return `${run}${holder.by ? ` of ${holder.by}` : ''}${holder.since ? ` since ${holder.since}` : ''}`;
}

/**
 * The lock taken inside a run's one command (`exec`, `run` with `command`): takes the lock as the
 * holder does, runs `command` (quoted once, run by `eval` in this shell, as it would have run
 * alone; without the lock's descriptor), and releases the lock as it ends, all in one session.
 * The SSH channel's end (a killed controller, a dropped link) ends this shell at once, and the
 * lock with it, even while the command runs on, as the holder's does. The command's exit code is
 * this command's; its output follows the lock's lines (`lockPrelude` parts them).
 */
export function lockedCommandScript(dir: string | undefined, owner: LockOwner, waitS: number, command: string): string {
  return [
    // the channel, kept on fd 8: a job started in the background reads /dev/null as its stdin
    'exec 8<&0',
    lockFunctions(dir),
    acquire(owner, waitS),
    `( eval ${shellQuote(command)} ) 8<&- 9>&- </dev/null &`,
    'u=$!',
    // the channel ends before the command: this shell goes, and the lock with it
    '( cat >/dev/null 2>&1; kill -s TERM $$ ) <&8 8<&- 9>&- >/dev/null 2>&1 &',
    'w=$!',
    'exec 8<&-',
    'wait "$u"; rc=$?',
    'kill "$w" 2>/dev/null',
    'exit "$rc"',
  ].join('\n');
}

/** Parts a locked command's stdout: the lock's lines first (up to `taken`), then the command's own. */
export function lockPrelude(stdout: string): { says: HolderSays[]; rest: string } {
  let at = 0;
  const says: HolderSays[] = [];
  while (stdout.startsWith(`${MARK} `, at)) {
    const end = stdout.indexOf('\n', at);
    if (end < 0) break;
    const [line] = holderLines(stdout.slice(at, end + 1));
    at = end + 1;
    if (!line) continue;
    says.push(line);
    if (line.said === 'taken') break;
  }
  return { says, rest: stdout.slice(at) };
}

/** The run lock was not taken inside a run's one command: another run holds the host, or it failed. */
export class RunLockError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunLockError';
  }
}
