/**
 * `--central`: after the run, prove each host's test alert reached Sophos Central through its
 * public API (test-alert, deploy), or show each host's last one (status). The run itself is not
 * touched: this phase reads the run's report and merges its outcome into it.
 */
import type { Command } from 'commander';
import { abortableSleep, CentralClient } from '../../central/client.ts';
import { CentralApiError, CentralInputError } from '../../central/errors.ts';
import { DAY_MS, lastAlertSteps, unreadableSteps } from '../../central/last-alert.ts';
import { CENTRAL_STEP, centralStep, hostsToWatch, mergeSteps } from '../../central/outcome.ts';
import { waitForAlerts } from '../../central/poller.ts';
import { readCentralSettings } from '../../central/settings.ts';
import { centralView } from '../../central/view.ts';
import { recapText } from '../../report/recap.ts';
import { redact } from '../../report/secrets.ts';
import type { HostTarget } from '../../runner/host-run.ts';
import type { RunReport, StepReport } from '../../runner/types.ts';
import { CliError, EXIT } from '../errors.ts';
import { positiveNumber } from '../numbers.ts';

export interface CentralCliOptions {
  central?: boolean;
  wait?: string;
  tenant?: string;
  json?: boolean;
  verbose?: boolean;
}

export const DEFAULT_WAIT_MIN = 25;
const DEFAULT_POLL_S = 60;
/** Seconds between polls; for tests and impatient operators (a whole-fleet query each time). */
export const POLL_ENV = 'SLS_PLAY_CENTRAL_POLL_SECONDS';

export function addCentralOptions(command: Command, withWait: boolean): Command {
  command
    .option('--central', 'check Sophos Central through its public API (SOPHOS_CLIENT_ID, SOPHOS_CLIENT_SECRET)')
    .option('--tenant <id>', 'with --central and partner or organization API credentials: the tenant to read');
  if (withWait)
    command.option(
      '--wait <minutes>',
      `with --central: how long to wait for every host's test alert (default ${DEFAULT_WAIT_MIN}; fractions allowed)`,
    );
  return command;
}

const write = (out: NodeJS.WritableStream, text: string) => out.write(redact(text));

/** Set-up mistakes (settings, credential, licence or role) are exit 5; Central unreachable or broken is exit 1. */
function asCliError(error: unknown): never {
  if (error instanceof CentralInputError) throw new CliError(error.message, EXIT.badOptions);
  if (error instanceof CentralApiError) {
    const code = error.kind === 'auth' || error.kind === 'forbidden' ? EXIT.badOptions : EXIT.toolError;
    throw new CliError(`--central: ${error.message}`, code);
  }
  throw error;
}

function addressesOf(targets: HostTarget[]): (host: string) => string[] {
  const byName = new Map(targets.map((t) => [t.name, t]));
  return (host) => {
    const address = byName.get(host)?.vars.ansible_host;
    return typeof address === 'string' && address !== host ? [address] : [];
  };
}

export interface CentralPhase {
  afterRun(report: RunReport, targets: HostTarget[]): Promise<RunReport>;
}

/**
 * Checks the settings and the credential before any host is touched (exit 5 for a mistake): a
 * token, whoami and one counts call, which a tenant without the licence or role refuses.
 * Undefined without --central.
 */
export async function prepareCentral(
  options: CentralCliOptions,
  mode: 'wait' | 'status',
): Promise<CentralPhase | undefined> {
  if (!options.central) {
    const stray = options.wait !== undefined ? '--wait' : options.tenant !== undefined ? '--tenant' : undefined;
    if (stray) throw new CliError(`${stray} applies to the Sophos Central check: add --central`, EXIT.badOptions);
    return undefined;
  }
  const waitMin = options.wait === undefined ? DEFAULT_WAIT_MIN : positiveNumber(options.wait, '--wait');
  const pollS = process.env[POLL_ENV] ? positiveNumber(process.env[POLL_ENV]!, POLL_ENV) : DEFAULT_POLL_S;
  const out = options.json ? process.stderr : process.stdout;
  const controller = new AbortController();
  let settings: ReturnType<typeof readCentralSettings>;
  try {
    settings = readCentralSettings(process.env, options.tenant);
  } catch (error) {
    asCliError(error);
  }
  const log = options.verbose ? (line: string) => write(process.stderr, `${line}\n`) : undefined;
  const client = new CentralClient(settings, {
    signal: controller.signal,
    runPollMs: Math.min(1000, (pollS * 1000) / 4),
    log,
  });
  try {
    const tenant = await client.connect();
    await client.counts(new Date(Date.now() - 3_600_000), new Date());
    log?.(`central: tenant ${tenant.id} at ${tenant.dataRegion}`);
  } catch (error) {
    asCliError(error);
  }
  const startedAt = Date.now();

  const statusPhase = async (report: RunReport, targets: HostTarget[]) => {
    const names = Object.keys(report.hosts);
    const hosts = names.map((name) => ({ name, addresses: addressesOf(targets)(name), since: Date.now() - DAY_MS }));
    let steps: Map<string, StepReport>;
    try {
      steps = lastAlertSteps(await client.detections(new Date(Date.now() - DAY_MS), new Date()), hosts);
    } catch (error) {
      if (!(error instanceof CentralApiError)) throw error;
      steps = unreadableSteps(names, error.message);
    }
    const width = Math.max(8, ...names.map((n) => n.length));
    write(
      out,
      `${['', 'Sophos Central', ...names.map((n) => `  ${n.padEnd(width)}  ${steps.get(n)!.message}`)].join('\n')}\n`,
    );
    return mergeSteps(report, steps, false);
  };

  const waitPhase = async (report: RunReport, targets: HostTarget[]) => {
    if (report.interrupted) {
      write(out, 'Sophos Central: not waiting for test alerts: the run was interrupted\n');
      return report;
    }
    const watched = hostsToWatch(report, startedAt, addressesOf(targets));
    if (watched.length === 0) {
      write(
        out,
        'Sophos Central: no host raised a test alert in this run, so there is nothing to look for (deploy raises one only after a config change: use test-alert --central)\n',
      );
      return report;
    }
    const names = watched.map((h) => h.name);
    const stream = out as NodeJS.WriteStream;
    const view = centralView(names, {
      out,
      live: Boolean(stream.isTTY) && !options.verbose && !process.env.CI,
      verbose: Boolean(options.verbose),
      write,
    });
    let interrupts = 0;
    const onSignal = (signal: string) => {
      interrupts += 1;
      if (interrupts > 1) process.exit(EXIT.interrupted);
      write(
        process.stderr,
        `\n${signal}: no longer waiting for Sophos Central; what was seen so far follows (press Ctrl-C again to stop now)\n`,
      );
      controller.abort();
    };
    const onInt = () => onSignal('SIGINT');
    const onTerm = () => onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const deadline = Date.now() + waitMin * 60_000;
    view.start(deadline, pollS);
    let result: Awaited<ReturnType<typeof waitForAlerts>>;
    try {
      result = await waitForAlerts({
        hosts: watched,
        query: (from, to) => client.detections(from, to),
        deadline,
        intervalMs: pollS * 1000,
        sleep: abortableSleep,
        signal: controller.signal,
        onPoll: (p) => view.poll(p.poll, p.states, p.error),
      });
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
    view.finish(result);
    log?.(`central: ${client.tokens.issued} token(s), ${client.queries} query run(s) in ${result.polls} poll(s)`);
    const steps = new Map(names.map((n) => [n, centralStep(n, result, waitMin)]));
    const merged = mergeSteps(report, steps, result.interrupted);
    for (const [name, step] of steps)
      if (step.status === 'failed') write(out, `failed: [${name}] ${CENTRAL_STEP}: ${step.message}\n`);
    write(out, recapText(merged));
    return merged;
  };

  return { afterRun: mode === 'status' ? statusPhase : waitPhase };
}
