// The fleet of one test file (or one describe block): started in its `before`, stopped in its
// `after`, so a test file names only its hosts.
import { after, before } from 'node:test';
import { startFleet, type Fleet, type FleetOptions, type HostProfile } from '../fleet/fleet.ts';

/**
 * Registers the hooks that start the fleet before the first test and stop it after the last, and
 * returns the fleet: usable inside tests and later hooks (before its `before` has run it throws,
 * naming why). `profiles` may be a function, for profiles that need what an earlier hook made.
 */
export function useFleet(profiles: HostProfile[] | (() => HostProfile[]), options: FleetOptions = {}): Fleet {
  let started: Fleet | undefined;
  before(async () => {
    started = await startFleet(typeof profiles === 'function' ? profiles() : profiles, options);
  });
  after(async () => {
    await started?.stop();
  });
  return new Proxy({} as Fleet, {
    get(_, key) {
      if (!started)
        throw new Error(`the fleet is not started yet (it starts in the file's before hook): fleet.${String(key)}`);
      const value = Reflect.get(started, key, started) as unknown;
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
