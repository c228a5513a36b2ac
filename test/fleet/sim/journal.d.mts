import type { HostPaths } from './host.d.mts';
export const UNIT: string;
export function journalText(paths: HostPaths, hostname: string): string;
