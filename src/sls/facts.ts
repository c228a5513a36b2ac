import { outputFact, type Fact } from '../remote/facts.ts';
import { pathFact, type PathState } from '../modules/path-fact.ts';
import type { SlsSettings } from './settings.ts';
import { versionProbeCommand } from './version.ts';
import { certListingCommand } from './certs.ts';
import { mcsProbeFact, type McsReach } from './mcs-probe.ts';

/** The settings the sensor's facts are read with. */
export type ReadSettings = Pick<SlsSettings, 'execPrefix' | 'certDir' | 'configPath' | 'deployment'>;
/** The settings the MCS endpoint probe runs with. */
export type ProbeSettings = Pick<SlsSettings, 'deployment' | 'execPrefix' | 'mcsProbe' | 'mcsProbeTimeoutS'>;

/**
 * The MCS endpoint probe as a fact of the same first command; none when the probe is off or there
 * is no URL to probe (the removal run, `sls_central=absent`).
 */
export function mcsReachFacts(settings: ProbeSettings, url: string | undefined): Record<string, Fact<McsReach>> {
  if (!settings.mcsProbe || !url) return {};
  const container =
    settings.deployment === 'container' && settings.execPrefix ? { execPrefix: settings.execPrefix } : undefined;
  return { mcsReach: mcsProbeFact(url, { timeoutS: settings.mcsProbeTimeoutS, ...(container ? { container } : {}) }) };
}

/** Everything a deploy reads from a host, gathered in one command. */
export function sensorFacts(settings: ReadSettings) {
  return {
    version: outputFact(versionProbeCommand(settings.execPrefix)),
    // The container's certificates are listed inside the container, through the exec prefix.
    certFiles: {
      command: `${certListingCommand(settings.certDir, settings.execPrefix)} 2>/dev/null`,
      parse: (output: string) =>
        output
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
    } satisfies Fact<string[]>,
    // The same fact the config task asks for, so the file is read once.
    config: pathFact(settings.configPath),
  };
}

/** What a deploy reads from a host: the sensor's version, the files in the certificate directory, the config file. */
export type SensorFacts = { version: string; certFiles: string[]; config: PathState; mcsReach?: McsReach };

/** The config's text, or null when there is no file yet. */
export const configText = (config: PathState): string | null => (config.type === 'file' ? config.content : null);

/** What `status` adds: the unit's state and the last test alert in the journal. */
export function serviceFacts(settings: ReadSettings) {
  return {
    service: {
      command:
        settings.deployment === 'container'
          ? `${settings.execPrefix} true >/dev/null 2>&1 && echo active || echo inactive`
          : 'systemctl is-active sophoslinuxsensor 2>/dev/null; true',
      parse: (output: string) => output.trim().split('\n').pop() || 'unknown',
    } satisfies Fact<string>,
    lastTestAlert: {
      command:
        "journalctl -u sophoslinuxsensor -g 'Alert Tester' -n 1 --no-pager 2>/dev/null | grep 'Alert Tester' | tail -n 1",
      // journalctl's short format starts "Nov 28 05:12:47 host unit[pid]: …": keep the time.
      parse: (output: string) => /^(\w{3} +\d+ [\d:]+)/.exec(output.trim())?.[1] ?? null,
    } satisfies Fact<string | null>,
  };
}

/** A deploy's first command: the sensor's facts and, unless switched off or removing, the endpoint probe. */
export function deployFacts(settings: ReadSettings & ProbeSettings & { url: string }) {
  return { ...sensorFacts(settings), ...mcsReachFacts(settings, settings.url) };
}
