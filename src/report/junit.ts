/**
 * `--junit FILE`: the run as a JUnit XML report for CI systems' test views (Jenkins, GitLab,
 * GitHub Actions reporters). One testcase per host; a failed host is a `<failure>`, an
 * unreachable one an `<error>` (it could not be tested), a skipped one `<skipped>`; every step's
 * status and message are in the testcase's `<system-out>`. Follows the schema Jenkins' xunit
 * plugin validates against (junit-10.xsd); every string goes through the redactor.
 */
import type { BatchGate, HostReport, StepReport } from '../runner/types.ts';
import { REPORT_FORMAT, toolVersion } from '../version.ts';
import { commandOutputLines } from './lines.ts';
import { lockLine, owedLines } from './recap.ts';
import type { RunDocument } from './run-document.ts';
import { redact } from './secrets.ts';
import { xmlAttributes, xmlText } from './xml.ts';

export interface JunitOptions {
  /** The suite's name, e.g. `sls-play deploy` or `sls-play exec`. */
  name: string;
  timestamp?: Date;
  /** Wall time of the run and of each host, in seconds, when known. */
  seconds?: number;
  hostSeconds?: Record<string, number>;
}

const text = (value: string) => xmlText(redact(value));
const seconds = (s: number | undefined) => (s === undefined ? undefined : Math.max(0, s).toFixed(3));

function stepLines(step: StepReport): string[] {
  const rc = step.rc === undefined ? '' : ` (rc=${step.rc})`;
  return [
    `${step.status}: ${step.name}: ${step.message}${rc}`,
    ...(step.warnings ?? []).map((w) => `  warning: ${w}`),
    ...commandOutputLines(step),
  ];
}

function verdict(host: HostReport): string {
  const bad = host.steps.filter((s) => s.status === 'failed' || s.status === 'unreachable');
  const attrs = (type: string, message: string) => xmlAttributes({ type, message: redact(message) });
  const body = text(bad.map((s) => `${s.name}: ${s.message}`).join('\n'));
  const first = bad[0] ? `${bad[0].name}: ${bad[0].message}` : (host.reason ?? host.status);
  switch (host.status) {
    case 'failed':
      return `      <failure${attrs('failed', first)}>${body}</failure>\n`;
    case 'unreachable':
      return `      <error${attrs('unreachable', first)}>${body}</error>\n`;
    case 'skipped':
      return `      <skipped${attrs('skipped', host.reason ?? 'skipped')}/>\n`;
    default:
      return '';
  }
}

function testcase(name: string, host: HostReport, suite: string, time: string | undefined): string {
  const out = host.steps.flatMap(stepLines);
  if (host.reason) out.push(`${host.status}: ${host.reason}`);
  out.push(...owedLines(host));
  const lock = lockLine(host);
  if (lock) out.push(lock);
  const attributes = xmlAttributes({ name: redact(name), classname: suite, time });
  return (
    `    <testcase${attributes}>\n` +
    verdict(host) +
    (out.length ? `      <system-out>${text(out.join('\n'))}</system-out>\n` : '') +
    `    </testcase>\n`
  );
}

/** A batch's Central gate as a testcase: failed when a host's alert was not seen, skipped when interrupted. */
function gateCase(gate: BatchGate, suite: string): string {
  const attributes = xmlAttributes({
    name: `batch ${gate.batch}`,
    classname: `${suite}.gates`,
    time: seconds(gate.seconds),
  });
  const verdictLine =
    gate.outcome === 'failed'
      ? `      <failure${xmlAttributes({ type: 'not seen in Sophos Central', message: redact(gate.message) })}>${text(gate.notSeen.join('\n'))}</failure>\n`
      : gate.outcome === 'interrupted'
        ? `      <skipped${xmlAttributes({ message: redact(gate.message) })}/>\n`
        : '';
  const out = [
    `${gate.outcome}: ${gate.message}`,
    `hosts: ${gate.hosts.join(', ') || 'none'}`,
    `seen: ${gate.seen.join(', ') || 'none'}`,
    `polls: ${gate.polls}, waited ${gate.seconds.toFixed(1)} s (${gate.startedAt} to ${gate.finishedAt})`,
  ];
  return `    <testcase${attributes}>\n${verdictLine}      <system-out>${text(out.join('\n'))}</system-out>\n    </testcase>\n`;
}

/** The gates' own suite (`--serial` with `--central`): one testcase per batch. */
function gateSuite(gates: readonly BatchGate[], name: string, suite: string): string {
  const failures = gates.filter((g) => g.outcome === 'failed').length;
  const skipped = gates.filter((g) => g.outcome === 'interrupted').length;
  const time = seconds(gates.reduce((sum, g) => sum + g.seconds, 0));
  return (
    `  <testsuite${xmlAttributes({ name: `${name} Sophos Central gates`, tests: gates.length, failures, errors: 0, skipped, time })}>\n` +
    gates.map((g) => gateCase(g, suite)).join('') +
    `  </testsuite>\n`
  );
}

export function junitXml(doc: RunDocument, options: JunitOptions): string {
  const names = Object.keys(doc.hosts);
  const s = doc.summary;
  const gates = doc.gates ?? [];
  const counts = { tests: names.length, failures: s.failed, errors: s.unreachable };
  const allCounts = {
    tests: names.length + gates.length,
    failures: s.failed + gates.filter((g) => g.outcome === 'failed').length,
    errors: s.unreachable,
  };
  const time = seconds(options.seconds);
  const suiteClass = options.name.replace(/\s+/g, '.');
  const properties = [
    ['tool.name', 'sls-play'],
    ['tool.version', toolVersion()],
    ['format', String(REPORT_FORMAT)],
    ...(doc.interrupted ? [['interrupted', 'true']] : []),
    ...(doc.slice ? [['slice', `${doc.slice.index}/${doc.slice.count}`]] : []),
    ...Object.entries(s).map(([k, v]) => [`hosts.${k}`, String(v)]),
  ];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites${xmlAttributes({ name: options.name, time, ...allCounts })}>\n` +
    `  <testsuite${xmlAttributes({ name: options.name, ...counts, skipped: s.skipped, time, timestamp: options.timestamp?.toISOString().replace(/\.\d+Z$/, '') })}>\n` +
    `    <properties>\n${properties.map(([k, v]) => `      <property${xmlAttributes({ name: k, value: v })}/>\n`).join('')}    </properties>\n` +
    names.map((name) => testcase(name, doc.hosts[name]!, suiteClass, seconds(options.hostSeconds?.[name]))).join('') +
    `  </testsuite>\n` +
    (gates.length ? gateSuite(gates, options.name, suiteClass) : '') +
    `</testsuites>\n`
  );
}
