// The fleet of one test file (or one describe block): started in its `before`, stopped in its
// `after`, so a test file names only its hosts.
import { after, before } from 'node:test';
import { startFleet, type Fleet, type FleetOptions, type HostProfile } from '../fleet/fleet.ts';

/**
 * Registers the hooks that start the fleet before the first test and stop it after the last, and
 * returns the fleet: usable inside tests and later hooks (before its `before` has run it throws,
 * naming why). `profiles` may be a function, for profiles that need what an earlier hook made;
 * `setUp` runs once the fleet is up (a file's own `before` would run beside the start, not after it).
 */
export function useFleet(
  profiles: HostProfile[] | (() => HostProfile[]),
  options: FleetOptions = {},
  setUp?: () => Promise<void> | void,
): Fleet {
  let started: Fleet | undefined;
  let failed: unknown;
  before(async () => {
    try {
      started = await startFleet(typeof profiles === 'function' ? profiles() : profiles, options);
    } catch (error) {
      failed = error;
      throw error;
    }
    // in the same hook: node runs a file's before hooks side by side, not one after the other
    await setUp?.();
  });
  after(async () => {
    await started?.stop();
  });
  return new Proxy({} as Fleet, {
    get(_, key) {
      if (failed) throw new Error(`the fleet did not start: ${(failed as Error).message ?? String(failed)}`);
      if (!started)
        throw new Error(`the fleet is not started yet (it starts in the file's before hook): fleet.${String(key)}`);
      const value = Reflect.get(started, key, started) as unknown;
      return typeof value === 'function' ? value.bind(started) : value;
    },
  });
}
