// What a fake Central holds of a fleet's test alerts: each delivery becomes a detection some time
// after the sensor sent it (Central is never instant), and a host's alerts can be lost from a moment
// on, as when its route to Central breaks mid-run.
import type { Detection } from '../../src/central/types.ts';
import type { Delivery } from '../fleet/types.ts';
import { testAlertDetection } from './fake.ts';

export class DelayedInbox {
  /** host → the time (ms) from which its deliveries never arrive */
  private readonly lostSince = new Map<string, number>();

  constructor(
    private readonly deliveries: () => Delivery[],
    private readonly delayMs: number,
    private readonly asDetections: (host: string, at: string) => Detection[] = (host, at) => [
      testAlertDetection(host, at),
    ],
  ) {}

  /** The host's deliveries sent from `since` on (all of them, by default) never reach Central. */
  lose(host: string, since = 0): void {
    this.lostSince.set(host, since);
  }

  /** The host's deliveries arrive again. */
  found(host: string): void {
    this.lostSince.delete(host);
  }

  clear(): void {
    this.lostSince.clear();
  }

  /** The detections Central holds now: for FakeCentral's `detections`. */
  readonly held = (): Detection[] => {
    const now = Date.now();
    return this.deliveries()
      .filter(
        (d) => Date.parse(d.at) < (this.lostSince.get(d.host) ?? Infinity) && now >= Date.parse(d.at) + this.delayMs,
      )
      .flatMap((d) => this.asDetections(d.host, d.at));
  };
}
