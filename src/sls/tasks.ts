/**
 * The Sophos Linux Sensor job as tasks: checks (asserts on the gathered facts), the config edit,
 * the restart (a verified service restart that undoes the config edit if the sensor will not
 * start) and the test alert. `playbooks/sls-central.ts` puts them together.
 */
import type { Verdict } from '../modules/assert.ts';
import { assert } from '../modules/assert.ts';
import { fileEdit, type TextEdit } from '../modules/file-edit.ts';
import { service } from '../modules/service.ts';
import { custom, planFailed, remoteChange } from '../tasks/task.ts';
import type { Host, PlanContext, Task } from '../tasks/types.ts';
import { analyseCerts } from './certs.ts';
import { summariseSensorConfig } from './config-read.ts';
import { editSensorConfig } from './config-edit.ts';
import { removeMcsOutput } from './config-remove.ts';
import { configText, sensorFacts, type SensorFacts } from './facts.ts';
import { slsReadSettings, slsSettings, type SlsSettings } from './settings.ts';
import { testAlertScript, testAlertOutcome } from './test-alert.ts';
import { interpretVersionProbe } from './version.ts';

const UNIT = 'sophoslinuxsensor';
const DEFAULT_RESTART = 'systemctl restart sophoslinuxsensor';

const cache = new WeakMap<object, SlsSettings>();
/** The host's SLS settings (computed once per host: variables do not change during a run). */
export function settingsOf(host: Pick<Host, 'vars'>): SlsSettings {
  let settings = cache.get(host.vars);
  if (!settings) {
    settings = slsSettings(host.vars);
    cache.set(host.vars, settings);
  }
  return settings;
}

const factsOf = (host: Host) => host.facts as unknown as SensorFacts;

/** `sls_central: absent` takes the mcs output out again (the rollback of a rollout). */
export const removing = (host: Pick<Host, 'vars'>) => slsReadSettings(host.vars).central === 'absent';

/** Whether the gathered sensor version is at least `sls_min_version`. */
export function versionVerdict(host: Host): Verdict {
  const check = interpretVersionProbe(factsOf(host).version, slsReadSettings(host.vars).minVersion);
  return { ok: check.status === 'ok', message: check.message };
}

/** Whether the certificate directory holds a sophosca<N>.crt/.crl pair (one pair: a warning). */
export function certVerdict(host: Host): Verdict {
  const settings = slsReadSettings(host.vars);
  const certs = analyseCerts(factsOf(host).certFiles, settings.certDir);
  return { ok: certs.status !== 'failed', message: certs.message, warning: certs.status === 'warning' };
}

/** The config edit for this host: the mcs output put in (or taken out with sls_central=absent). */
export function sensorConfigEdit(text: string | null, host: Host): TextEdit {
  const settings = settingsOf(host);
  if (removing(host)) return removeMcsOutput(text, settings.configPath);
  const pairs = analyseCerts(factsOf(host).certFiles, settings.certDir).pairs;
  const edit = editSensorConfig(
    text,
    {
      url: settings.url,
      apiKey: settings.apiKey,
      deployment: settings.deployment,
      certDir: settings.certDir,
      containerPairs: pairs,
    },
    settings.configPath,
  );
  return edit.ok
    ? {
        ok: true,
        text: edit.text,
        changes: edit.changed ? edit.changes : [`mcs output to ${settings.url} already configured`],
      }
    : edit;
}

/** The config as this run leaves it (for the test alert: is there a stdout output to watch?). */
function configAfterEdit(host: Host): string | null {
  const before = configText(factsOf(host).config);
  const edit = sensorConfigEdit(before, host);
  return edit.ok ? edit.text : before;
}

/** Task: the sensor is new enough (tag `checks`). */
export const checkVersion = assert({ name: 'sensor version', that: versionVerdict, tags: ['checks'] });

/** Task: the CA certificates are there (tag `checks`; not when taking the output out). */
export const checkCerts = assert({
  name: 'certificates',
  that: certVerdict,
  when: (host) => !removing(host),
  tags: ['checks'],
});

/** 0600, or the file's existing mode where that is stricter (e.g. 0400). */
export const configMode = (current: number | null) => (current === null ? 0o600 : current & 0o600);

/** Task: the `mcs` output in the sensor config (mode 0600 or stricter, backup, `api_key` masked); notifies `restart sensor`. */
export const configureSensor: Task = fileEdit({
  name: 'config',
  path: (host) => settingsOf(host).configPath,
  edit: sensorConfigEdit,
  modeFrom: configMode,
  secretKeys: ['api_key'],
  notify: 'restart sensor',
  tags: ['config'],
});

/** `sls_force_restart=true`: restart (and test) even though the config is already right. */
export const forceRestart = custom({
  name: 'force restart',
  notify: 'restart sensor',
  tags: ['config'],
  plan: async () => ({
    status: 'change',
    message: 'restart the sensor (sls_force_restart)',
    apply: async () => ({ message: 'restart requested by sls_force_restart; the config was not touched' }),
  }),
});

/** Handler `restart sensor`: a verified restart that puts the old config back if the sensor will not start; notifies `test alert`. */
export const restartSensor: Task = service({
  name: 'restart sensor',
  unit: UNIT,
  state: 'restarted',
  // A container has no unit on the host: its restart command's exit status is the answer.
  command: (host) => {
    const settings = slsReadSettings(host.vars);
    return settings.deployment === 'container' || settings.restartCommand !== DEFAULT_RESTART
      ? settings.restartCommand
      : undefined;
  },
  waitActive: (host) => (slsReadSettings(host.vars).deployment === 'package' ? 20 : 0),
  onFailure: { restore: configureSensor },
  notify: 'test alert',
});

/** Triggers the test alert and proves it in the journal when a stdout output lets us see it. */
export function testAlertTask(options: {
  watchJournal: (ctx: PlanContext) => Promise<boolean | { failed: string }>;
  plansAhead?: boolean;
}): Task {
  return custom({
    name: 'test alert',
    plansAhead: options.plansAhead,
    plan: async (ctx) => {
      const settings = slsReadSettings(ctx.vars);
      const watch = await options.watchJournal(ctx);
      if (typeof watch === 'object') return planFailed(watch.failed);
      return remoteChange('trigger the sensor test alert', {
        command: testAlertScript(settings, watch),
        // The remote side bounds itself; this only guards against a host that stops answering.
        timeoutMs: (settings.testTimeoutS * 2 + 30) * 1000,
        interpret(result) {
          const outcome = testAlertOutcome(result, settings);
          // An alert changes no state on the host: ok, not changed.
          return outcome.ok ? { message: outcome.message, unchanged: true } : { failed: outcome.message };
        },
      });
    },
  });
}

/**
 * Handler `test alert`: triggers the sensor's test alert and, where a stdout output lets it, sees
 * it in the journal. What to watch for comes from the config this run leaves, computed from the
 * gathered facts, so it can be planned before the config is written.
 */
export const testAlertAfterDeploy = testAlertTask({
  watchJournal: async (host) => summariseSensorConfig(configAfterEdit(host)).stdoutEnabled,
  plansAhead: true,
});

/** The test alert on its own (`test-alert`): the config on the host says whether to watch the journal. */
export const testAlertNow = testAlertTask({
  watchJournal: async (ctx) => {
    const settings = slsReadSettings(ctx.vars);
    const { config } = await ctx.gather({ config: sensorFacts(settings).config });
    const summary = summariseSensorConfig(configText(config));
    if (summary.error)
      return { failed: `${settings.configPath} does not parse (${summary.error}): fix it, then run deploy` };
    return summary.stdoutEnabled;
  },
});

/** The facts line: what the config file looks like before the run. */
export function describeSensorFacts(facts: SensorFacts): string {
  return facts.config.type === 'file' ? `config present (${facts.config.content.length} bytes)` : 'no config file yet';
}
