export interface HostPaths {
  state: string;
  sophos: string;
  sophosCerts: string;
  /** maps an absolute path as the host sees it to one the caller can open */
  resolve(path: string): string;
}
export interface SimHost {
  name: string;
  version: string;
  versionFlag: boolean;
  installed: boolean;
  deployment: 'package' | 'container';
  restartBroken: boolean;
  slowRestartMs: number;
  testAlertHangs: boolean;
  inbox: string;
  /** the sensor unit's Environment= assignments, e.g. ['HTTPS_PROXY=http://127.1.2.3:3128'] */
  unitEnvironment?: string[];
  /** demo.service's state at boot; absent: no such unit */
  demo?: 'active' | 'inactive';
}
export const CONFIG_NAME: string;
export function insidePaths(): HostPaths;
export function readHost(paths: HostPaths): SimHost;
