/**
 * Sensor versions: parsing, numeric comparison, and the one remote command that finds the
 * installed version. SLS versions have 3 or 4 numeric parts (5.5.2.22, 5.10.0.3, 5.11.0) that
 * must be compared as integers, which semver cannot do with 4 parts.
 */
import { shellQuote } from '../remote/quote.ts';

// The first run of 3 or 4 dot-separated numbers that is not part of a longer one: skips a dpkg
// epoch ("1:"), a leading "v", a trailing " [build]" or "-1" revision, and surrounding words.
const VERSION_RE = /(?<![\d.])(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?(?!\.?\d)/;

export function parseVersion(text: string): number[] | null {
  const match = VERSION_RE.exec(text);
  if (!match) return null;
  const parts = match
    .slice(1)
    .filter((p): p is string => p !== undefined)
    .map(Number);
  return parts.every(Number.isSafeInteger) ? parts : null;
}

/** -1, 0 or 1; part by part as integers, a missing part counts as 0 (5.5.2.22 == 5.5.2.22.0). */
export function compareVersions(a: readonly number[], b: readonly number[]): -1 | 0 | 1 {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function formatVersion(parts: readonly number[]): string {
  return parts.join('.');
}

const SENSOR = 'sophoslinuxsensor';

/**
 * One POSIX sh command (wrapped in `sh -c`, so the login shell's dialect does not matter) that
 * asks, in order, the sensor binary, dpkg, then rpm, stopping at the first that answers. It prints
 * tagged lines for `interpretVersionProbe`:
 *   path:<binary>             the binary found on PATH or in the unit's ExecStart (host mode)
 *   flag:<output>             `-version` exited 0 and printed something version-like
 *   flag-failed:<rc>:<output> `-version` ran but gave no version (old build without the flag…)
 *   dpkg:<version> / rpm:<version>
 *   none                      no source gave a version
 *
 * With an exec prefix (container mode, e.g. `docker exec sls`) every sensor and package query runs
 * through it; the host's PATH and systemd know nothing of the container, so they are not asked.
 * The prefix is the operator's shell text and is inserted as is.
 */
export function versionProbeCommand(execPrefix: string): string {
  const prefix = execPrefix.trim();
  const run = prefix ? `${prefix} ` : '';
  // Bound the flag call: a build that ignores unknown flags could start the sensor in the
  // foreground instead of exiting.
  const timeout = 't=; if command -v timeout >/dev/null 2>&1; then t="timeout 10"; fi';
  const oneLine = `o=$(printf '%s' "$o" | tr '\\r\\n' '  ' | cut -c 1-300)`;
  const report =
    `case "$rc:$o" in 0:*[0-9].[0-9]*) printf 'flag:%s\\n' "$o"; found=1;; ` +
    `*) printf 'flag-failed:%s:%s\\n' "$rc" "$o";; esac`;
  const flag = prefix
    ? [`if o=$($t ${run}${SENSOR} -version 2>&1); then rc=0; else rc=$?; fi`, oneLine, report]
    : [
        `b=$(command -v ${SENSOR} 2>/dev/null) || ` +
          `b=$(systemctl show -p ExecStart ${SENSOR} 2>/dev/null | ` +
          `sed -n 's/^ExecStart={ *path=\\([^ ;]*\\).*/\\1/p' | head -n 1)`,
        `if [ -n "$b" ]; then printf 'path:%s\\n' "$b"; ` +
          `if o=$($t "$b" -version 2>&1); then rc=0; else rc=$?; fi; ${oneLine}; ${report}; fi`,
      ];
  const script = [
    'found=',
    timeout,
    ...flag,
    // ${Status} keeps a removed-but-not-purged package ("deinstall ok config-files") from
    // counting as installed.
    `if [ -z "$found" ] && v=$(${run}dpkg-query -W -f='\${Status} \${Version}' ${SENSOR} 2>/dev/null); ` +
      `then case "$v" in *' installed '*) printf 'dpkg:%s\\n' "\${v##* }"; found=1;; esac; fi`,
    `if [ -z "$found" ] && v=$(${run}rpm -q --qf '%{VERSION}' ${SENSOR} 2>/dev/null) && [ -n "$v" ]; ` +
      `then printf 'rpm:%s\\n' "$v"; found=1; fi`,
    `[ -n "$found" ] || echo none`,
  ].join('; ');
  return `sh -c ${shellQuote(script)}`;
}

export type VersionSource = 'flag' | 'dpkg' | 'rpm';

export interface VersionCheck {
  status: 'ok' | 'failed';
  version?: string;
  source?: VersionSource;
  message: string;
}

interface ProbeLines {
  path?: string;
  flag?: string;
  flagFailed?: { rc: number; output: string };
  dpkg?: string;
  rpm?: string;
}

function readProbe(output: string): ProbeLines {
  const lines: ProbeLines = {};
  for (const raw of output.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const tag = /^(path|flag|flag-failed|dpkg|rpm):(.*)$/.exec(line);
    if (!tag) continue; // login banners, sudo lectures and the like
    const name = tag[1];
    const value = tag[2] ?? '';
    if (name === 'flag-failed') {
      const m = /^(\d+):(.*)$/.exec(value);
      lines.flagFailed = { rc: m ? Number(m[1]) : -1, output: (m ? (m[2] ?? '') : value).trim() };
    } else if (name === 'path') lines.path = value.trim();
    else if (name === 'flag') lines.flag = value.trim();
    else if (name === 'dpkg') lines.dpkg = value.trim();
    else lines.rpm = value.trim();
  }
  return lines;
}

function sourceLabel(source: VersionSource, path: string | undefined): string {
  if (source === 'flag') {
    const binary = path?.includes('/') && !/^\/usr\/(local\/)?s?bin\//.test(path) ? path : SENSOR;
    return `${binary} -version`;
  }
  return source === 'dpkg' ? `dpkg package ${SENSOR}` : `rpm package ${SENSOR}`;
}

/** Turns the probe's output into the step's result; `minVersion` is the `sls_min_version` text. */
export function interpretVersionProbe(output: string, minVersion: string): VersionCheck {
  const min = parseVersion(minVersion);
  if (!min) throw new Error(`sls_min_version "${minVersion}" is not a version (expected e.g. 5.5.2.22)`);
  const wanted = formatVersion(min);
  const probe = readProbe(output);

  const candidates: Array<[VersionSource, string | undefined]> = [
    ['flag', probe.flag],
    ['dpkg', probe.dpkg],
    ['rpm', probe.rpm],
  ];
  for (const [source, text] of candidates) {
    const parts = text === undefined ? null : parseVersion(text);
    if (!parts) continue;
    const version = formatVersion(parts);
    const from = `${version} (from ${sourceLabel(source, probe.path)})`;
    if (compareVersions(parts, min) >= 0) {
      return { status: 'ok', version, source, message: `${from} >= ${wanted}` };
    }
    return {
      status: 'failed',
      version,
      source,
      message:
        `${from} is older than ${wanted}, the first release that sends alerts to Sophos Central: ` +
        `upgrade the sensor to ${wanted} or later, then run again`,
    };
  }

  // A binary that ran but would not say its version is not the same as no sensor at all.
  const ran = probe.flagFailed && probe.flagFailed.rc !== 126 && probe.flagFailed.rc !== 127;
  if (probe.path || ran) {
    const why = probe.flagFailed
      ? `${SENSOR} -version ${probe.flagFailed.rc === 0 ? 'printed no version' : `failed (exit ${probe.flagFailed.rc})`}` +
        (probe.flagFailed.output ? `: "${probe.flagFailed.output.slice(0, 120)}"` : '')
      : `${SENSOR} -version gave no version`;
    return {
      status: 'failed',
      message:
        `the sensor's version could not be determined (${why}; no dpkg or rpm package): ` +
        `check the installation, or install SLS ${wanted} or later from the package repository`,
    };
  }
  return {
    status: 'failed',
    message:
      `${SENSOR} is not installed on this host (no binary on PATH, no dpkg or rpm package): ` +
      `install SLS ${wanted} or later first`,
  };
}
