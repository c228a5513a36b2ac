import type { Vars } from '../inventory/types.ts';
import { PlaybookInputError } from '../base/input-error.ts';
import { registerSecret } from '../report/secrets.ts';
import { regionNames, resolveMcsUrl } from './regions.ts';
import { checkAbsolutePath, checkCredentialText, checkShellWords, textVar, typeOfValue } from './setting-values.ts';
import { parseVersion } from './version.ts';
import { mcsExtraOf, type McsExtra } from './mcs-extra.ts';

/** The SLS playbook's variables (cli.md) with their defaults applied. */
export interface SlsSettings {
  /** The Central endpoint for the `mcs` output (from `sls_region` or `sls_mcs_url`). */
  url: string;
  /** `sls_api_key` or env `SLS_API_KEY`; registered as a secret. */
  apiKey: string;
  /** `sls_deployment`: a package install, or the sensor in a container. */
  deployment: 'package' | 'container';
  /** `sls_config_path`: the sensor's runtimedetections.yaml. */
  configPath: string;
  /** `sls_cert_dir`: where the sophosca<N>.crt/.crl pairs are. */
  certDir: string;
  /** `sls_min_version`: the oldest sensor version accepted. */
  minVersion: string;
  /** Put before sensor commands, e.g. `docker exec sls`; empty for a package install. */
  execPrefix: string;
  /** `sls_restart_command`: how the sensor is restarted. */
  restartCommand: string;
  /** `sls_test_timeout`: seconds to wait for the test alert. */
  testTimeoutS: number;
  /** `sls_force_restart`: restart and test even when the config is unchanged. */
  forceRestart: boolean;
  /** `absent` (sls_central=absent): take the mcs output out again; needs no region or key. */
  central: 'present' | 'absent';
  /** `sls_mcs_probe` (default true): each host probes its MCS endpoint in the first command. */
  mcsProbe: boolean;
  /** `sls_mcs_probe_timeout` (default 5 s): the probe's bound on the connect and on the TLS handshake. */
  mcsProbeTimeoutS: number;
  /** `sls_mcs_extra`: keys merged into the mcs entry (e.g. a tenant id), by name. */
  mcsExtra: McsExtra;
}

/** A boolean, or the words Ansible reads as one; anything else (a mapping, a list) is a mistake. */
function flag(vars: Vars, name: string, fallback = false): boolean {
  const value = vars[name];
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && /^(0|false|no|off|n)$/i.test(value.trim())) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return /^(1|true|yes|on|y)$/i.test(value.trim());
  throw new PlaybookInputError(`${name} is ${typeOfValue(value)}; set it to true or false`);
}

function seconds(vars: Vars, name: string, fallback: number): number {
  const value = vars[name];
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) {
    const shown = typeof value === 'string' || typeof value === 'number' ? `"${String(value)}"` : typeOfValue(value);
    throw new PlaybookInputError(`${name} ${shown} is not a number of seconds above 0`);
  }
  return n;
}

function centralState(vars: Vars): 'present' | 'absent' {
  const value = textVar(vars, 'sls_central') ?? 'present';
  if (value !== 'present' && value !== 'absent')
    throw new PlaybookInputError(`sls_central is "${value}"; use present (the default) or absent`);
  return value;
}

/** Settings that need no region or key (status, test-alert). */
export function slsReadSettings(vars: Vars): Omit<SlsSettings, 'url' | 'apiKey'> {
  const deployment = textVar(vars, 'sls_deployment') ?? 'package';
  if (deployment !== 'package' && deployment !== 'container') {
    throw new PlaybookInputError(`sls_deployment is "${deployment}"; use package or container`);
  }
  const minVersion = textVar(vars, 'sls_min_version', { allowNumber: true }) ?? '5.5.2.22';
  if (!parseVersion(minVersion))
    throw new PlaybookInputError(`sls_min_version "${minVersion}" is not a version like 5.5.2.22`);
  const testTimeoutS = seconds(vars, 'sls_test_timeout', 30);
  const configPath = textVar(vars, 'sls_config_path') ?? '/etc/sophos/runtimedetections.yaml';
  checkAbsolutePath(configPath, 'sls_config_path');
  const certDir = textVar(vars, 'sls_cert_dir') ?? (deployment === 'container' ? '/etc/sophos-certs' : '/etc/sophos');
  checkAbsolutePath(certDir, 'sls_cert_dir');
  const execPrefix = textVar(vars, 'sls_exec_prefix') ?? '';
  checkShellWords(execPrefix, 'sls_exec_prefix');
  const restartCommand = textVar(vars, 'sls_restart_command') ?? 'systemctl restart sophoslinuxsensor';
  checkShellWords(restartCommand, 'sls_restart_command');
  return {
    deployment,
    configPath,
    certDir,
    minVersion,
    execPrefix,
    restartCommand,
    testTimeoutS,
    forceRestart: flag(vars, 'sls_force_restart'),
    central: centralState(vars),
    mcsProbe: flag(vars, 'sls_mcs_probe', true),
    mcsProbeTimeoutS: seconds(vars, 'sls_mcs_probe_timeout', 5),
    mcsExtra: mcsExtraOf(vars),
  };
}

/** The API key and the variable it came from, checked to be one line of text. */
function apiKeyOf(vars: Vars): string | undefined {
  const fromVars = textVar(vars, 'sls_api_key');
  const [apiKey, name] =
    fromVars !== undefined ? [fromVars, 'sls_api_key'] : [process.env.SLS_API_KEY || undefined, 'SLS_API_KEY'];
  registerSecret(apiKey);
  if (apiKey !== undefined) checkCredentialText(apiKey, name);
  return apiKey;
}

/** All settings of a deploy; a missing region/URL or key is an error before any host is touched. */
export function slsSettings(vars: Vars): SlsSettings {
  const read = slsReadSettings(vars);
  // Taking the output out again needs neither a region nor a key.
  if (read.central === 'absent') return { ...read, url: '', apiKey: '' };
  const apiKey = apiKeyOf(vars);
  const region = textVar(vars, 'sls_region');
  const url = textVar(vars, 'sls_mcs_url');
  if (!region && !url) {
    throw new PlaybookInputError(
      `no Sophos Central region: set sls_region (e.g. -e sls_region=eu-west-1) or sls_mcs_url; valid regions: ${regionNames()}`,
    );
  }
  if (!apiKey) {
    throw new PlaybookInputError(
      'no API key: set SLS_API_KEY in the environment (or sls_api_key in a vaulted vars file)',
    );
  }
  let resolved: string;
  try {
    resolved = resolveMcsUrl({ region, url });
  } catch (error) {
    throw new PlaybookInputError((error as Error).message);
  }
  return { ...read, url: resolved, apiKey };
}
