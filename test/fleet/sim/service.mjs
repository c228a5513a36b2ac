// The sensor's service: its state (active/failed/inactive, pid, the config it loaded at its
// last start, how many restarts) and the start/stop/restart transitions systemd would make.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_NAME } from './host.mjs';
import { log, UNIT } from './journal.mjs';
import { parseConfig, enabledOutputs, validateConfig } from './validate.mjs';

const DAEMON = 'sophoslinuxsensor';
const DESCRIPTION = 'Sophos Linux Sensor';

const stateFile = (paths) => join(paths.state, 'service.json');

export function readService(paths) {
  const file = stateFile(paths);
  if (!existsSync(file)) return { state: 'inactive', pid: null, loadedConfig: null, restarts: 0, since: null };
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeService(paths, service) {
  // rename so a reader never sees half a file
  const tmp = `${stateFile(paths)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(service));
  renameSync(tmp, stateFile(paths));
}

function readConfigText(paths) {
  const file = join(paths.sophos, CONFIG_NAME);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

const newPid = () => 1000 + Math.floor(Math.random() * 60000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the daemon; returns the reasons it failed (empty on success). */
export async function start(paths, host) {
  const service = readService(paths);
  if (service.state === 'active') return [];
  log(paths, 'systemd', 1, `Starting ${UNIT} - ${DESCRIPTION}...`);
  if (host.slowRestartMs > 0) await sleep(host.slowRestartMs);
  const text = readConfigText(paths);
  const pid = newPid();
  const problems = host.restartBroken
    ? ['failed to load BPF programs: operation not permitted (kernel lockdown is enabled)']
    : validateConfig(text, host, paths);
  if (problems.length > 0) {
    for (const p of problems) log(paths, DAEMON, pid, `level=fatal msg=${JSON.stringify(p)}`);
    log(paths, 'systemd', 1, `${UNIT}: Main process exited, code=exited, status=1/FAILURE`);
    log(paths, 'systemd', 1, `${UNIT}: Failed with result 'exit-code'.`);
    log(paths, 'systemd', 1, `Failed to start ${UNIT} - ${DESCRIPTION}.`);
    writeService(paths, { ...service, state: 'failed', pid: null, since: Date.now() });
    return problems;
  }
  const outputs = text === null ? [] : enabledOutputs(parseConfig(text).config);
  log(paths, 'systemd', 1, `Started ${UNIT} - ${DESCRIPTION}.`);
  if (text === null)
    log(paths, DAEMON, pid, `level=warning msg="no config at /etc/sophos/${CONFIG_NAME}, using defaults"`);
  log(
    paths,
    DAEMON,
    pid,
    `level=info msg="sensor ${host.version} started" alert_outputs="${outputs.map((o) => o.type).join(',')}"`,
  );
  writeService(paths, { ...service, state: 'active', pid, loadedConfig: text, since: Date.now() });
  return [];
}

export function stop(paths) {
  const service = readService(paths);
  if (service.state !== 'active') {
    if (service.state === 'failed') writeService(paths, { ...service, state: 'inactive' });
    return;
  }
  log(paths, 'systemd', 1, `Stopping ${UNIT} - ${DESCRIPTION}...`);
  log(paths, DAEMON, service.pid, 'level=info msg="received terminated, shutting down"');
  log(paths, 'systemd', 1, `${UNIT}: Deactivated successfully.`);
  log(paths, 'systemd', 1, `Stopped ${UNIT} - ${DESCRIPTION}.`);
  writeService(paths, { ...service, state: 'inactive', pid: null, since: Date.now() });
}

export async function restart(paths, host) {
  stop(paths);
  const service = readService(paths);
  writeService(paths, { ...service, restarts: service.restarts + 1 });
  return start(paths, host);
}

/** The host as it is when the fleet starts: installed sensors run with their initial config. */
export async function boot(paths, host) {
  writeService(paths, { state: 'inactive', pid: null, loadedConfig: null, restarts: 0, since: null });
  if (host.installed) await start(paths, { ...host, slowRestartMs: 0, restartBroken: false });
}
