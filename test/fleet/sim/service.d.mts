import type { HostPaths, SimHost } from './host.d.mts';
export interface ServiceState {
  state: 'active' | 'failed' | 'inactive';
  pid: number | null;
  loadedConfig: string | null;
  restarts: number;
  since: number | null;
}
export function readService(paths: HostPaths): ServiceState;
export function start(paths: HostPaths, host: SimHost): Promise<string[]>;
export function stop(paths: HostPaths): void;
export function restart(paths: HostPaths, host: SimHost): Promise<string[]>;
export function boot(paths: HostPaths, host: SimHost): Promise<void>;
