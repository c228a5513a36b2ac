import type { SimHost } from './host.d.mts';
export const SENSOR_BUILD: string;
export function hasUnit(host: SimHost): boolean;
export function versionOutput(host: SimHost): string | null;
export function unitEnvironment(host: SimHost): string;
