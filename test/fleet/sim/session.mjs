// Long-running simulated commands (`journalctl -f`, a hung `-test-alert`) must not outlive the
// SSH channel that started them. OpenSSH does not signal a non-tty command when its channel
// closes, so watch for it: the session's sshd process gone, or no sshd holding our stdout pipe.
import { readFileSync, readlinkSync, readdirSync } from 'node:fs';

function parentOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function comm(pid) {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** The sshd process serving our session; 'orphaned' if it is gone already; null if none. */
function sessionSshd() {
  let pid = process.ppid;
  try {
    while (pid > 1) {
      if (comm(pid) === 'sshd') return pid;
      pid = parentOf(pid);
    }
    // inside a host's namespace PID 1 is the listening sshd: reaching it means the session
    // ended before we got here
    return comm(1) === 'sshd' ? 'orphaned' : null;
  } catch {
    // an ancestor exited while we looked: the session is going away
    return 'orphaned';
  }
}

function holdsFile(pid, target) {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === target;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/** Exits the process once the SSH channel that runs it is gone. */
export function exitWithSession(intervalMs = 250) {
  const sshd = sessionSshd();
  if (sshd === null) return undefined; // not under sshd (e.g. run by the controller)
  if (sshd === 'orphaned') process.exit(129);
  let stdout = null;
  try {
    stdout = readlinkSync('/proc/self/fd/1');
  } catch {
    /* no stdout */
  }
  const watchPipe = stdout?.startsWith('pipe:') && holdsFile(sshd, stdout);
  const timer = setInterval(() => {
    const alive = (() => {
      try {
        process.kill(sshd, 0);
        return true;
      } catch {
        return false;
      }
    })();
    if (!alive || (watchPipe && !holdsFile(sshd, stdout))) process.exit(129);
  }, intervalMs);
  timer.unref();
  return timer;
}

export function hangForever() {
  exitWithSession();
  setInterval(() => {}, 1 << 30);
}
