import { hostStatus, summarise } from '../runner/status.ts';
import type { HostReport, RunReport, StepReport } from '../runner/types.ts';
import type { AlertMatch, WatchedHost } from './match.ts';
import type { WaitResult } from './poller.ts';

/** The step of the sls playbooks that triggers the test alert (deploy's handler, test-alert's step). */
export const TEST_ALERT_STEP = 'test alert';
/** The step sls-play adds to each watched host's report. */
export const CENTRAL_STEP = 'Sophos Central';

export const WHAT_TO_CHECK =
  "check the XDR or MDR licence, the mcs URL or region (sls_region / sls_mcs_url), the api_key (SLS_API_KEY), and the sensor's journal (journalctl -u sophoslinuxsensor)";

/** Hosts whose test alert ran and passed in this run: the ones to look for in Central. */
export function hostsToWatch(
  report: Pick<RunReport, 'hosts'>,
  since: number,
  addressesOf: (host: string) => string[],
): WatchedHost[] {
  return Object.entries(report.hosts)
    .filter(([, h]) => h.steps.some((s) => s.name === TEST_ALERT_STEP && s.status === 'ok'))
    .map(([name]) => ({ name, addresses: addressesOf(name), since }));
}

export const clock = (iso: string | number) => new Date(iso).toTimeString().slice(0, 8);

export function seenMessage(match: AlertMatch): string {
  return `"Alert Tester" seen in Sophos Central at ${clock(match.time)}${match.rule ? ` (rule: ${match.rule})` : ''}`;
}

/** The step each watched host gets from the wait's result. */
export function centralStep(host: string, result: WaitResult, waitMinutes: number): StepReport {
  const state = result.states.get(host);
  if (state?.state === 'seen') {
    return {
      name: CENTRAL_STEP,
      status: 'ok',
      message: seenMessage(state.match),
      facts: { central: { seen: true, ...state.match } },
    };
  }
  const facts = { central: { seen: false } };
  if (result.interrupted)
    return {
      name: CENTRAL_STEP,
      status: 'skipped',
      message: 'not confirmed: interrupted while waiting for Sophos Central',
      facts,
    };
  if (result.fatal) return { name: CENTRAL_STEP, status: 'failed', message: result.fatal, facts };
  const last = result.lastError ? ` (the last poll failed: ${result.lastError})` : '';
  return {
    name: CENTRAL_STEP,
    status: 'failed',
    message: `"Alert Tester" not seen in Sophos Central within ${waitMinutes} min${last}: ${WHAT_TO_CHECK}`,
    facts,
  };
}

/** Adds a step to a host's report and recomputes its status and facts. */
export function withStep(host: HostReport, step: StepReport): HostReport {
  const steps = [...host.steps, step];
  const facts = { ...(host.facts ?? {}), ...(step.facts ?? {}) };
  return { ...host, status: hostStatus(steps), steps, facts };
}

/** The run's report with the Central outcome merged in: the recap totals and exit status follow. */
export function mergeSteps(report: RunReport, steps: Map<string, StepReport>, interrupted: boolean): RunReport {
  const hosts: Record<string, HostReport> = {};
  for (const [name, host] of Object.entries(report.hosts)) {
    const step = steps.get(name);
    hosts[name] = step ? withStep(host, step) : host;
  }
  return {
    ...report,
    hosts,
    summary: summarise(hosts),
    ...(interrupted || report.interrupted ? { interrupted: true } : {}),
  };
}
