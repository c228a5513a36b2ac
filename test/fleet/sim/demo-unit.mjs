// `demo.service`: a second simulated systemd unit, for the generic modules' tests. Its config is
// /etc/sophos/demo.conf; it will not start while that file has a line `fail = yes` (the journal
// says which line). State (active/failed/inactive, enabled, restarts, reloads, the config it
// loaded) lives in the host's state dir, demo.json.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './journal.mjs';

export const DEMO_UNIT = 'demo.service';
const DESCRIPTION = 'Demo daemon';
const file = (paths) => join(paths.state, 'demo.json');
const configFile = (paths) => join(paths.sophos, 'demo.conf');
const say = (paths, ident, pid, msg) => log(paths, ident, pid, msg, DEMO_UNIT);

export function readDemo(paths) {
  if (!existsSync(file(paths)))
    return { state: 'inactive', enabled: false, pid: null, restarts: 0, reloads: 0, loadedConfig: null };
  return JSON.parse(readFileSync(file(paths), 'utf8'));
}

function writeDemo(paths, demo) {
  const tmp = `${file(paths)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(demo));
  renameSync(tmp, file(paths));
}

function problemsOf(text) {
  if (text === null) return [];
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s*fail\s*=\s*yes\s*$/.test(l));
  return at < 0 ? [] : [`demo.conf line ${at + 1}: fail = yes is set, refusing to start`];
}

export function startDemo(paths) {
  const demo = readDemo(paths);
  if (demo.state === 'active') return [];
  say(paths, 'systemd', 1, `Starting ${DEMO_UNIT} - ${DESCRIPTION}...`);
  const text = existsSync(configFile(paths)) ? readFileSync(configFile(paths), 'utf8') : null;
  const pid = 1000 + Math.floor(Math.random() * 60000);
  const problems = problemsOf(text);
  if (problems.length) {
    for (const p of problems) say(paths, 'demo', pid, `level=fatal msg=${JSON.stringify(p)}`);
    say(paths, 'systemd', 1, `${DEMO_UNIT}: Main process exited, code=exited, status=1/FAILURE`);
    say(paths, 'systemd', 1, `Failed to start ${DEMO_UNIT} - ${DESCRIPTION}.`);
    writeDemo(paths, { ...demo, state: 'failed', pid: null });
    return problems;
  }
  say(paths, 'systemd', 1, `Started ${DEMO_UNIT} - ${DESCRIPTION}.`);
  say(paths, 'demo', pid, 'level=info msg="demo ready"');
  writeDemo(paths, { ...demo, state: 'active', pid, loadedConfig: text });
  return [];
}

export function stopDemo(paths) {
  const demo = readDemo(paths);
  if (demo.state !== 'active') {
    if (demo.state === 'failed') writeDemo(paths, { ...demo, state: 'inactive' });
    return;
  }
  say(paths, 'systemd', 1, `Stopping ${DEMO_UNIT} - ${DESCRIPTION}...`);
  say(paths, 'systemd', 1, `Stopped ${DEMO_UNIT} - ${DESCRIPTION}.`);
  writeDemo(paths, { ...demo, state: 'inactive', pid: null });
}

export function restartDemo(paths) {
  stopDemo(paths);
  const demo = readDemo(paths);
  writeDemo(paths, { ...demo, restarts: demo.restarts + 1 });
  return startDemo(paths);
}

export function reloadDemo(paths) {
  const demo = readDemo(paths);
  if (demo.state !== 'active') return [`${DEMO_UNIT} is not active, cannot reload`];
  say(paths, 'systemd', 1, `Reloading ${DEMO_UNIT} - ${DESCRIPTION}...`);
  say(paths, 'systemd', 1, `Reloaded ${DEMO_UNIT} - ${DESCRIPTION}.`);
  writeDemo(paths, { ...demo, reloads: demo.reloads + 1 });
  return [];
}

export function enableDemo(paths, enabled) {
  writeDemo(paths, { ...readDemo(paths), enabled });
}

/** At fleet start: the unit's initial state, with no journal lines. */
export function bootDemo(paths, initial) {
  writeDemo(paths, {
    state: 'inactive',
    enabled: initial === 'active',
    pid: null,
    restarts: 0,
    reloads: 0,
    loadedConfig: null,
  });
  if (initial === 'active') startDemo(paths);
}
