import type { HostPaths } from './host.d.mts';
export const DEMO_UNIT: string;
export interface DemoState {
  state: 'active' | 'failed' | 'inactive';
  enabled: boolean;
  pid: number | null;
  restarts: number;
  reloads: number;
  loadedConfig: string | null;
}
export function readDemo(paths: HostPaths): DemoState;
export function bootDemo(paths: HostPaths, initial: 'active' | 'inactive'): void;
