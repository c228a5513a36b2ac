/**
 * Splits hosts into rolling batches as Ansible's `serial` does: each entry is a count or a
 * percentage of all hosts (at least 1); the last entry repeats until every host has a batch.
 */
export type SerialEntry = number | `${number}%`;

export function parseSerial(text: string): SerialEntry[] {
  return text.split(',').map((raw) => {
    const part = raw.trim();
    const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(part);
    if (!match || Number(match[1]) <= 0) {
      throw new Error(`--serial "${text}": "${part}" is not a positive number or percentage (e.g. 1,5,25%)`);
    }
    return match[2] ? (`${Number(match[1])}%` as const) : Math.floor(Number(match[1]));
  });
}

function batchSize(entry: SerialEntry, total: number): number {
  if (typeof entry === 'number') return entry;
  return Math.max(1, Math.floor((total * Number(entry.slice(0, -1))) / 100));
}

export function splitBatches<T>(items: T[], serial: SerialEntry[] | undefined): T[][] {
  if (!serial || serial.length === 0) return items.length ? [items] : [];
  const out: T[][] = [];
  let index = 0;
  let entry = 0;
  while (index < items.length) {
    const size = batchSize(serial[Math.min(entry, serial.length - 1)]!, items.length);
    out.push(items.slice(index, index + size));
    index += size;
    entry += 1;
  }
  return out;
}
