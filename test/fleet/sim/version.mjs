// Sensor versions have 3 or 4 numeric parts; a missing part counts as 0.
export function compareVersions(a, b) {
  const pa = String(a)
    .split('.')
    .map((p) => parseInt(p, 10) || 0);
  const pb = String(b)
    .split('.')
    .map((p) => parseInt(p, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

export const MCS_MIN_VERSION = '5.5.2.22';
