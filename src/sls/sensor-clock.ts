/**
 * When the running sensor started, against when its config file was last written: a config
 * written after the start is not what the sensor runs, whoever wrote it (sls-play, a person,
 * another tool). One shell probe printing "<config mtime|none> <start|unknown>" in epoch seconds.
 */
import type { Fact } from '../remote/facts.ts';
import { shellQuote } from '../remote/quote.ts';
import { configLoadedFrom, type ConfigLoaded } from './drift.ts';
import type { SlsSettings } from './settings.ts';

type ClockSettings = Pick<SlsSettings, 'configPath' | 'deployment' | 'execPrefix'>;

/** The container a `docker exec NAME` / `podman exec NAME` prefix runs in, when it says so plainly. */
export function containerOf(execPrefix: string): { tool: string; name: string } | undefined {
  const match = /^\s*(docker|podman)\s+exec\s+((?:-[A-Za-z-]+\s+)*)([A-Za-z0-9][A-Za-z0-9_.-]*)\s*$/.exec(execPrefix);
  // options that take a value (`-u root`) would make the name ambiguous: those are not read
  if (!match || /(^|\s)(-u|--user|-e|--env|-w|--workdir|--env-file)\s/.test(`${match[2]} `)) return undefined;
  return { tool: match[1]!, name: match[3]! };
}

const SYSTEMD_START = [
  'ts=$(systemctl show -p ActiveEnterTimestamp --value sophoslinuxsensor 2>/dev/null)',
  'if [ -n "$ts" ] && [ "$ts" != n/a ]; then st=$(date -d "$ts" +%s 2>/dev/null); fi',
  // the monotonic twin, for a date(1) that cannot read systemd's format
  'if [ -z "$st" ]; then m=$(systemctl show -p ActiveEnterTimestampMonotonic --value sophoslinuxsensor 2>/dev/null); b=$(awk \'/^btime/ {print $2}\' /proc/stat 2>/dev/null); if [ -n "$m" ] && [ "$m" != 0 ] && [ -n "$b" ]; then st=$((b + m / 1000000)); fi; fi',
].join('; ');

export function sensorClockFact(settings: ClockSettings): Fact<ConfigLoaded> {
  const container = settings.deployment === 'container' ? containerOf(settings.execPrefix) : undefined;
  const cannotTell =
    settings.deployment === 'container' && !container
      ? `the container cannot be asked when it started (sls_exec_prefix "${settings.execPrefix}" names no docker or podman container)`
      : undefined;
  const start = container
    ? `ts=$(${container.tool} inspect -f '{{.State.StartedAt}}' ${shellQuote(container.name)} 2>/dev/null); if [ -n "$ts" ]; then st=$(date -d "$ts" +%s 2>/dev/null); fi`
    : SYSTEMD_START;
  return {
    command: `st=; cfg=$(stat -L -c %Y -- ${shellQuote(settings.configPath)} 2>/dev/null); ${start}; echo "\${cfg:-none} \${st:-unknown}"`,
    parse: (output) => configLoadedFrom(output, cannotTell),
  };
}
