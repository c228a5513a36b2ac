import { hostname, userInfo } from 'node:os';
import type { Playbook } from '../playbook/types.ts';
import { PlaybookInputError } from '../base/input-error.ts';
import { jsonDocument } from '../report/json.ts';
import { documentExitCode, type RunDocument } from '../report/run-document.ts';
import { runRecorder } from '../report/timing.ts';
import { withTiming, type RunInvocation } from '../report/run-timing.ts';
import { chooseReporter } from '../report/choose.ts';
import { redact, runRedactor } from '../report/secrets.ts';
import type { SerialEntry } from '../runner/batches.ts';
import type { HostTarget } from '../runner/host-run.ts';
import { stateDirOf } from '../tasks/owed/state-dir.ts';
import { runPlaybook } from '../runner/run.ts';
import type { BatchGateCheck, RunLockSettings, RunReport } from '../runner/types.ts';
import { makeConnector } from './connector.ts';
import { CliError, EXIT } from './errors.ts';
import { positiveNumber } from './numbers.ts';
import { askSecrets } from './ask-secrets.ts';
import type { StepPrompter } from './step-prompt.ts';
import { partialReport, readRunOutputs, sliceTargets, writeRunOutputs } from './run-outputs.ts';
import type { RunCliOptions } from './run-options.ts';

export interface ExecuteSettings {
  check: boolean;
  diff: boolean;
  serial?: SerialEntry[];
  maxFailPercentage?: number;
  /** `--tags` / `--skip-tags`. */
  tags?: string[];
  skipTags?: string[];
  /** Printed for humans after the recap (e.g. the status table). */
  epilogue?: (report: RunReport) => string;
  /** A phase after the run and its recap (e.g. `--central`) that may add to the report before --json and the exit status. */
  afterRun?: (report: RunReport) => Promise<RunReport>;
  /** `--serial` with `--central`: each batch waits for its evidence before the next starts. */
  gate?: BatchGateCheck;
  /** `--force-handlers`: run notified handlers on a host even after a task failed there. */
  forceHandlers?: boolean;
  /** `--start-at-task NAME`. */
  startAtTask?: string;
  /** `--step`: asked before each task. */
  step?: StepPrompter;
  /** Hosts found not compliant, with the reason (status --fail-on-drift): they make the exit status 2. */
  drift?: (report: RunReport) => Record<string, string>;
  /** The run lock: taken unless the run reads only (`look`: status) or `exec --no-lock` (`off`). */
  lock?: 'look' | 'off';
}

/** Checks every selected host's variables before any host is touched (exit 5 on a mistake). */
export function validateTargets(playbook: Playbook, targets: HostTarget[]): void {
  const keepsRecords = Boolean(playbook.handlers?.length);
  if (!playbook.validate && !keepsRecords) return;
  for (const target of targets) {
    try {
      if (keepsRecords) stateDirOf(target.vars);
      playbook.validate?.(target.vars, target.name);
    } catch (error) {
      if (error instanceof PlaybookInputError) throw new CliError(`${target.name}: ${error.message}`, EXIT.badOptions);
      throw error;
    }
  }
}

/** The run lock's settings: a run that may change hosts takes it, a check or `status` looks. */
function runLock(settings: ExecuteSettings, waitS: number): RunLockSettings | undefined {
  if (settings.lock === 'off') return undefined;
  const mode = settings.check || settings.lock === 'look' ? 'look' : 'take';
  return { mode, waitS, by: `${userInfo().username}@${hostname()}` };
}

/** What the documents' `run` object says of this command line. */
function invocationOf(playbook: Playbook, options: RunCliOptions, check: boolean): RunInvocation {
  const file = (options as { playbook?: unknown }).playbook;
  const inventory = options.invocation?.inventory ?? options.ansible?.inventory?.join(',');
  return {
    command: options.invocation?.command,
    playbook: typeof file === 'string' ? file : playbook.name,
    ...(inventory ? { inventory } : {}),
    ...(options.limit ? { limit: options.limit } : {}),
    ...(check ? { check } : {}),
  };
}

/** Runs a playbook on the targets with the reporters, signals and exit status of cli.md. */
export async function execute(
  playbook: Playbook,
  selected: HostTarget[],
  options: RunCliOptions,
  settings: ExecuteSettings,
): Promise<number> {
  const outputs = readRunOutputs(options);
  const { targets, info: slice } = sliceTargets(selected, outputs.slice);
  const runName = `sls-play ${playbook.name}`;
  validateTargets(playbook, targets);
  const forks = positiveNumber(options.forks, '--forks', { integer: true });
  const retries = positiveNumber(options.retries, '--retries', { integer: true, allowZero: true });
  const connectTimeoutMs = positiveNumber(options.connectTimeout, '--timeout', { allowZero: true }) * 1000;
  const lockWaitS = positiveNumber(options.lockWait ?? '60', '--lock-wait', { integer: true, allowZero: true });
  // A default bound: a hung restart must not hold a rollout forever; 0 lifts it for long ad hoc jobs.
  const timeoutS = positiveNumber(options.taskTimeout, '--task-timeout', { allowZero: true });
  const commandTimeoutMs = timeoutS > 0 ? timeoutS * 1000 : undefined;
  if (options.flushCache && options.verbose)
    process.stderr.write(
      '--flush-cache: nothing to flush (sls-play keeps no fact cache; facts are read fresh every run)\n',
    );
  const secrets = await askSecrets(options, targets);

  const reporter = chooseReporter({
    json: options.json,
    verbose: options.verbose,
    plain: settings.step !== undefined,
    diff: settings.diff,
    hostCount: targets.length,
  });
  const recorder = runRecorder();
  const invocation = invocationOf(playbook, options, settings.check);
  let report: RunReport | undefined;
  const controller = new AbortController();
  let interrupts = 0;
  const say = (text: string) => (reporter.note ? reporter.note(text) : process.stderr.write(text));
  const onSignal = (signal: string) => {
    interrupts += 1;
    if (interrupts > 1) {
      say(`\n${signal} again: stopping now (every file write is atomic, so no config is half-written)\n`);
      writeRunOutputs(
        outputs,
        { ...withTiming(partialReport(recorder), recorder, invocation), ...(slice ? { slice } : {}) },
        runName,
        recorder,
      );
      process.exit(EXIT.interrupted);
    }
    say(`\n${signal}: no new host or step will start; finishing what is under way (press Ctrl-C again to stop now)\n`);
    controller.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    report = await runPlaybook({
      playbook,
      targets,
      connect: makeConnector({
        sshConfigFile: options.sshConfig,
        knownHostsFile: options.knownHosts,
        hostKeyChecking: options.hostKeyChecking,
        connectTimeoutMs,
        connectTimeoutExplicit: options.connectTimeoutExplicit,
        commandTimeoutMs,
        ...secrets,
        retries,
        signal: controller.signal,
        onRetry: options.verbose ? (line) => say(`${line}\n`) : undefined,
        sshClient: options.sshClient,
        log: options.verbose ? (host, line) => reporter.listener({ type: 'log', host, line }) : undefined,
      }),
      settings: {
        check: settings.check,
        diff: settings.diff,
        commandTimeoutMs,
        become: true,
        tags: settings.tags,
        skipTags: settings.skipTags,
        redactor: runRedactor,
        forceHandlers: settings.forceHandlers,
        lock: runLock(settings, lockWaitS),
        startAtTask: settings.startAtTask,
        step: settings.step && ((task: string) => settings.step!.ask(task)),
      },
      forks,
      serial: settings.serial,
      maxFailPercentage: settings.maxFailPercentage,
      ...(settings.gate ? { gate: settings.gate } : {}),
      signal: controller.signal,
      listener: (event) => {
        recorder.listener(event);
        reporter.listener(event);
      },
    });
    await reporter.finish();
    if (settings.epilogue) (options.json ? process.stderr : process.stdout).write(redact(settings.epilogue(report)));
  } finally {
    settings.step?.close();
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  if (settings.afterRun) report = await settings.afterRun(report);
  const drift = settings.drift?.(report);
  for (const [host, why] of Object.entries(drift ?? {}))
    (options.json ? process.stderr : process.stdout).write(redact(`drift: [${host}] ${why}\n`));
  const doc: RunDocument = {
    ...withTiming(report, recorder, invocation),
    ...(slice ? { slice } : {}),
    ...(drift && Object.keys(drift).length ? { drift } : {}),
  };
  writeRunOutputs(outputs, doc, runName, recorder);
  if (options.json) process.stdout.write(`${jsonDocument(doc)}\n`);
  return documentExitCode(doc);
}
