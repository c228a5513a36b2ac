// `systemctl` for the one unit a simulated host has. A container deployment has no unit on the
// host (the sensor runs in the container), nor does a host without the sensor.
import { hasUnit as unitOf, unitEnvironment } from './answers.mjs';
import { insidePaths, readHost } from './host.mjs';
import { UNIT } from './journal.mjs';
import { readService, restart, start, stop } from './service.mjs';
import { DEMO_UNIT, enableDemo, readDemo, reloadDemo, restartDemo, startDemo, stopDemo } from './demo-unit.mjs';

const paths = insidePaths();
const host = readHost(paths);
const EXEC = '/usr/local/bin/sophoslinuxsensor';

const args = process.argv.slice(2);
const opts = [];
const words = [];
const props = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  // `show -p ExecStart` and `--property ExecStart` take the property as the next word
  if (a === '-p' || a === '--property') props.push(...(args[++i] ?? '').split(','));
  else if (a.startsWith('--property=')) props.push(...a.slice(11).split(','));
  else if (/^-p./.test(a)) props.push(...a.slice(2).split(','));
  else if (a.startsWith('-')) opts.push(a);
  else words.push(a);
}
const verb = words[0];
const unitArgs = words.slice(1);
const quiet = opts.includes('-q') || opts.includes('--quiet');
const valueOnly = opts.includes('--value');

const normal = (u) => (u.includes('.') ? u : `${u}.service`);
const hasUnit = unitOf(host);
const out = (s) => process.stdout.write(s);
const err = (s) => process.stderr.write(s);

function activeState() {
  return hasUnit ? readService(paths).state : 'inactive';
}

/** systemd's timestamp format: `Thu 2026-12-03 07:12:00 UTC`. */
function systemdTime(ms) {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  return `${day} ${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function properties() {
  const s = readService(paths);
  const state = activeState();
  const started = state === 'active' && s.since;
  return {
    ActiveEnterTimestamp: started ? systemdTime(s.since) : 'n/a',
    ActiveEnterTimestampMonotonic: '0',
    Id: UNIT,
    LoadState: hasUnit ? 'loaded' : 'not-found',
    ActiveState: state,
    SubState: state === 'active' ? 'running' : state === 'failed' ? 'failed' : 'dead',
    MainPID: String(state === 'active' ? s.pid : 0),
    ExecStart: hasUnit
      ? `{ path=${EXEC} ; argv[]=${EXEC} -config /etc/sophos/runtimedetections.yaml ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }`
      : '',
    FragmentPath: hasUnit ? '/lib/systemd/system/sophoslinuxsensor.service' : '',
    UnitFileState: hasUnit ? 'enabled' : '',
    Result: state === 'failed' ? 'exit-code' : 'success',
    NRestarts: '0',
    // the unit's Environment= assignments (a proxy, say), as systemd prints them
    Environment: unitEnvironment(host),
  };
}

function status() {
  if (!hasUnit) {
    err(`Unit ${UNIT} could not be found.\n`);
    return 4;
  }
  const s = readService(paths);
  const state = activeState();
  const since = s.since ? new Date(s.since).toString() : 'n/a';
  const line =
    state === 'active'
      ? `active (running) since ${since}`
      : state === 'failed'
        ? `failed (Result: exit-code) since ${since}`
        : 'inactive (dead)';
  out(
    `● ${UNIT} - Sophos Linux Sensor\n     Loaded: loaded (/lib/systemd/system/${UNIT}; enabled; preset: enabled)\n     Active: ${line}\n`,
  );
  if (state === 'active') out(`   Main PID: ${s.pid} (sophoslinuxsensor)\n`);
  return state === 'active' ? 0 : 3;
}

async function transition(action) {
  if (!hasUnit) {
    err(`Failed to ${action} ${UNIT}: Unit ${UNIT} not found.\n`);
    return 5;
  }
  if (action === 'stop') {
    stop(paths);
    return 0;
  }
  if (action === 'start' && readService(paths).state === 'active') return 0;
  const problems = action === 'start' ? await start(paths, host) : await restart(paths, host);
  if (problems.length === 0) return 0;
  err(
    `Job for ${UNIT} failed because the control process exited with error code.\nSee "systemctl status ${UNIT}" and "journalctl -xeu ${UNIT}" for details.\n`,
  );
  return 1;
}

/** `demo.service`, on hosts whose profile has one (see demo-unit.mjs). */
function demo() {
  const d = readDemo(paths);
  const fail = () => {
    err(
      `Job for ${DEMO_UNIT} failed because the control process exited with error code.\nSee "systemctl status ${DEMO_UNIT}" and "journalctl -xeu ${DEMO_UNIT}" for details.\n`,
    );
    return 1;
  };
  switch (verb) {
    case 'is-active':
      if (!quiet) out(`${d.state}\n`);
      return d.state === 'active' ? 0 : 3;
    case 'is-failed':
      if (!quiet) out(`${d.state}\n`);
      return d.state === 'failed' ? 0 : 1;
    case 'is-enabled':
      if (!quiet) out(`${d.enabled ? 'enabled' : 'disabled'}\n`);
      return d.enabled ? 0 : 1;
    case 'enable':
    case 'disable':
      enableDemo(paths, verb === 'enable');
      return 0;
    case 'start':
      return startDemo(paths).length ? fail() : 0;
    case 'stop':
      stopDemo(paths);
      return 0;
    case 'restart':
    case 'try-restart':
    case 'reload-or-restart':
      return restartDemo(paths).length ? fail() : 0;
    case 'reload':
      return reloadDemo(paths).length ? fail() : 0;
    case 'status':
      out(
        `● ${DEMO_UNIT} - Demo daemon\n     Loaded: loaded (/lib/systemd/system/${DEMO_UNIT}; ${d.enabled ? 'enabled' : 'disabled'})\n     Active: ${d.state}\n`,
      );
      return d.state === 'active' ? 0 : 3;
    case 'show':
      out(`Id=${DEMO_UNIT}\nActiveState=${d.state}\nUnitFileState=${d.enabled ? 'enabled' : 'disabled'}\n`);
      return 0;
    default:
      err(`Unknown command verb ${verb}.\n`);
      return 1;
  }
}

async function main() {
  if (host.demo && unitArgs.length > 0 && unitArgs.every((u) => normal(u) === DEMO_UNIT)) return demo();
  const other = unitArgs.map(normal).find((u) => u !== UNIT);
  if (['is-active', 'is-failed'].includes(verb)) {
    const state = other ? 'inactive' : activeState();
    if (!quiet) out(`${state}\n`);
    return verb === 'is-active' ? (state === 'active' ? 0 : 3) : state === 'failed' ? 0 : 1;
  }
  if (verb === 'is-enabled') {
    if (other || !hasUnit) {
      err(`Failed to get unit file state for ${other ?? UNIT}: No such file or directory\n`);
      return 1;
    }
    if (!quiet) out('enabled\n');
    return 0;
  }
  if (other) {
    err(`Unit ${other} could not be found.\n`);
    return verb === 'status' ? 4 : 5;
  }
  switch (verb) {
    case 'status':
      return status();
    case 'show': {
      const all = properties();
      const keys = props.length > 0 ? props : Object.keys(all);
      for (const k of keys) out(valueOnly ? `${all[k] ?? ''}\n` : `${k}=${all[k] ?? ''}\n`);
      return 0;
    }
    case 'start':
    case 'stop':
    case 'restart':
      return transition(verb);
    case 'try-restart':
    case 'reload-or-restart':
    case 'force-reload':
      return transition('restart');
    case 'daemon-reload':
    case 'enable':
    case 'reset-failed':
      return 0;
    default:
      err(`Unknown command verb ${verb}.\n`);
      return 1;
  }
}

process.exit(await main());
