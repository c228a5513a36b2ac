import { createHash } from 'node:crypto';

/**
 * `--slice k/n`: the selected hosts cut into n shares for n controllers (a Kubernetes Indexed
 * Job, a CI matrix). A host's slice comes from a hash of its name alone, so it lands in the same
 * slice whatever the order of the inventory or the other hosts in it, and adding a host never
 * moves another one. Shares are even on average, not exactly; a slice may be empty.
 */
export interface Slice {
  /** 1-based, as users count: `--slice 1/3` is the first of three. */
  index: number;
  count: number;
}

export function parseSlice(text: string): Slice {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new Error(`--slice "${text}": expected k/n with 1 <= k <= n, e.g. --slice 2/5 (the second of five slices)`);
  }
  return { index, count };
}

/** The 1-based slice a host name belongs to among `count`. */
export function sliceOf(name: string, count: number): number {
  const digest = createHash('sha256').update(name).digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** The items of one slice, in their original order (so `--serial` batches keep inventory order). */
export function takeSlice<T>(items: T[], slice: Slice, nameOf: (item: T) => string): T[] {
  return items.filter((item) => sliceOf(nameOf(item), slice.count) === slice.index);
}

export const sliceLabel = (slice: Slice) => `${slice.index}/${slice.count}`;
