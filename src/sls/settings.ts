import type { Vars } from '../inventory/types.ts';
import { PlaybookInputError } from '../playbook/types.ts';
import { registerSecret } from '../report/secrets.ts';
import { regionNames, resolveMcsUrl } from './regions.ts';
import { parseVersion } from './version.ts';

/** The SLS playbook's variables (cli.md) with their defaults applied. */
export interface SlsSettings {
  url: string;
  apiKey: string;
  deployment: 'package' | 'container';
  configPath: string;
  certDir: string;
  minVersion: string;
  /** Put before sensor commands, e.g. `docker exec sls`; empty for a package install. */
  execPrefix: string;
  restartCommand: string;
  testTimeoutS: number;
  forceRestart: boolean;
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null || value === '' ? undefined : String(value);

const truthy = (value: unknown) => value === true || /^(1|true|yes|on)$/i.test(String(value ?? ''));

/** Settings that need no region or key (status, test-alert). */
export function slsReadSettings(vars: Vars): Omit<SlsSettings, 'url' | 'apiKey'> {
  const deployment = text(vars.sls_deployment) ?? 'package';
  if (deployment !== 'package' && deployment !== 'container') {
    throw new PlaybookInputError(`sls_deployment is "${deployment}"; use package or container`);
  }
  const minVersion = text(vars.sls_min_version) ?? '5.5.2.22';
  if (!parseVersion(minVersion)) throw new PlaybookInputError(`sls_min_version "${minVersion}" is not a version like 5.5.2.22`);
  const testTimeoutS = Number(text(vars.sls_test_timeout) ?? 30);
  if (!(testTimeoutS > 0)) throw new PlaybookInputError(`sls_test_timeout "${String(vars.sls_test_timeout)}" is not a number of seconds above 0`);
  return {
    deployment,
    configPath: text(vars.sls_config_path) ?? '/etc/sophos/runtimedetections.yaml',
    certDir: text(vars.sls_cert_dir) ?? (deployment === 'container' ? '/etc/sophos-certs' : '/etc/sophos'),
    minVersion,
    execPrefix: text(vars.sls_exec_prefix) ?? '',
    restartCommand: text(vars.sls_restart_command) ?? 'systemctl restart sophoslinuxsensor',
    testTimeoutS,
    forceRestart: truthy(vars.sls_force_restart),
  };
}

/** All settings of a deploy; a missing region/URL or key is an error before any host is touched. */
export function slsSettings(vars: Vars): SlsSettings {
  const apiKey = text(vars.sls_api_key) ?? text(process.env.SLS_API_KEY);
  registerSecret(apiKey);
  const region = text(vars.sls_region);
  const url = text(vars.sls_mcs_url);
  if (!region && !url) {
    throw new PlaybookInputError(
      `no Sophos Central region: set sls_region (e.g. -e sls_region=eu-west-1) or sls_mcs_url; valid regions: ${regionNames()}`,
    );
  }
  if (!apiKey) {
    throw new PlaybookInputError('no API key: set SLS_API_KEY in the environment (or sls_api_key in a vaulted vars file)');
  }
  let resolved: string;
  try {
    resolved = resolveMcsUrl({ region, url });
  } catch (error) {
    throw new PlaybookInputError((error as Error).message);
  }
  return { ...slsReadSettings(vars), url: resolved, apiKey };
}
