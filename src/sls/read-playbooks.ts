import { gatherFacts } from '../modules/facts.ts';
import { failed, ok, playbook, step } from '../playbook/define.ts';
import type { Playbook } from '../playbook/types.ts';
import { analyseCerts } from './certs.ts';
import { summariseSensorConfig } from './config-read.ts';
import { sensorFacts, serviceFacts } from './facts.ts';
import { regionOfUrl } from './regions.ts';
import { slsReadSettings } from './settings.ts';
import { testAlert } from './steps/test-alert.ts';
import { interpretVersionProbe } from './version.ts';

// slsReadSettings throws PlaybookInputError itself for a bad variable.
const validate = (vars: Record<string, unknown>) => void slsReadSettings(vars);

/** `status`: one read-only command per host; every fact lands in the step's `facts`. */
export const statusPlaybook: Playbook = playbook({
  name: 'SLS status',
  validate,
  steps: [
    step('status', async (ctx) => {
      const settings = slsReadSettings(ctx.vars);
      const facts = await gatherFacts(ctx, { ...sensorFacts(settings), ...serviceFacts(settings) });
      const version = interpretVersionProbe(facts.version, settings.minVersion);
      const certs = analyseCerts(facts.certFiles, settings.certDir);
      const config = summariseSensorConfig(facts.config?.content ?? null);
      const url = config.mcs?.url;
      const summary = {
        sensorVersion: version.version ?? null,
        versionSource: version.source ?? null,
        versionOk: version.status === 'ok',
        certPairs: certs.pairs,
        mcsConfigured: Boolean(config.mcs?.enabled && url),
        mcsUrl: url ?? null,
        mcsRegion: url ? (regionOfUrl(url)?.name ?? null) : null,
        configError: config.error ?? null,
        service: facts.service,
        lastTestAlert: facts.lastTestAlert,
      };
      const line = [
        `sensor ${summary.sensorVersion ?? 'not found'}${version.status === 'ok' ? '' : ' (not ok)'}`,
        `cert pairs ${certs.pairs.join(',') || 'none'}`,
        `mcs ${summary.mcsConfigured ? (summary.mcsRegion ?? url) : 'not configured'}`,
        `service ${summary.service}`,
        `last test alert ${summary.lastTestAlert ?? 'never'}`,
      ].join(' · ');
      return ok(line, { facts: summary });
    }),
  ],
});

/** `test-alert`: trigger the sensor's test alert and verify it, on the chosen hosts. */
export const testAlertPlaybook: Playbook = playbook({
  name: 'SLS test alert',
  validate,
  steps: [
    step('test alert', async (ctx) => {
      const settings = slsReadSettings(ctx.vars);
      const facts = await gatherFacts(ctx, { config: sensorFacts(settings).config });
      const config = summariseSensorConfig(facts.config?.content ?? null);
      if (config.error) return failed(`${settings.configPath} does not parse (${config.error}): fix it, then run deploy`);
      return testAlert(ctx, settings, config.stdoutEnabled);
    }),
  ],
});
