// What the simulated programs answer from host.json alone. The fleet writes host.json once, when
// the host is laid out, so these answers hold for the host's life: the fleet bakes them into the
// host's files (wrappers.ts), and the commonest calls (every run's facts ask for both) start no
// Node process. The programs themselves answer with the same functions.

export const SENSOR_BUILD = 'build 3f9c2a1';

/** The host runs the sensor as a systemd unit (not in a container, not absent). */
export const hasUnit = (host) => host.installed && host.deployment === 'package';

/** `sophoslinuxsensor -version`'s output, or null where this sensor has no -version flag. */
export function versionOutput(host) {
  return host.versionFlag ? `${host.version} [${SENSOR_BUILD}]\n` : null;
}

/** The sensor unit's Environment= assignments, as `systemctl show -p Environment` prints them. */
export function unitEnvironment(host) {
  return hasUnit(host) ? (host.unitEnvironment ?? []).join(' ') : '';
}
