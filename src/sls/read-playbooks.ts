import { playbook } from '../playbook/define.ts';
import type { Playbook } from '../playbook/types.ts';
import { custom, planOk } from '../tasks/task.ts';
import { analyseCerts } from './certs.ts';
import { summariseSensorConfig } from './config-read.ts';
import { owedOnHostFact } from '../tasks/owed/on-host.ts';
import { stateDirOf } from '../tasks/owed/state-dir.ts';
import { driftReasons, expectedUrlOf, type StatusFacts } from './drift.ts';
import { configText, mcsReachFacts, sensorFacts, serviceFacts } from './facts.ts';
import { reachCell, type McsReach } from './mcs-probe.ts';
import { sensorClockFact } from './sensor-clock.ts';
import { regionOfUrl } from './regions.ts';
import { slsReadSettings } from './settings.ts';
import { testAlertNow } from './tasks.ts';
import { interpretVersionProbe } from './version.ts';

// slsReadSettings throws PlaybookInputError itself for a bad variable.
const validate = (vars: Record<string, unknown>) => void slsReadSettings(vars);

/** The URL the host should send to, for the live drift line; a bad region is left to --fail-on-drift (exit 5). */
function expectedUrlOrNone(vars: Record<string, unknown>): string | undefined {
  try {
    return expectedUrlOf(vars);
  } catch {
    return undefined;
  }
}

/** `status`: one read-only command per host; every fact lands in the step's `facts`. */
export const statusPlaybook: Playbook = playbook({
  name: 'SLS status',
  validate: (vars) => {
    validate(vars);
    stateDirOf(vars);
  },
  tasks: [
    custom({
      name: 'status',
      plan: async (ctx) => {
        const settings = slsReadSettings(ctx.vars);
        // the endpoint the variables name (sls_region / sls_mcs_url), probed in the same command
        const probe = mcsReachFacts(settings, expectedUrlOrNone(ctx.vars));
        const facts = await ctx.gather({
          ...probe,
          ...sensorFacts(settings),
          ...serviceFacts(settings),
          owed: owedOnHostFact(stateDirOf(ctx.vars)),
          clock: sensorClockFact(settings),
        });
        const version = interpretVersionProbe(facts.version, settings.minVersion);
        const certs = analyseCerts(facts.certFiles, settings.certDir);
        const config = summariseSensorConfig(configText(facts.config));
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
          owedHandlers: facts.owed.owed.map((e) => ({ playbook: e.playbook, handler: e.handler, at: e.at })),
          owedProblems: facts.owed.problems,
          configLoaded: facts.clock,
          mcsReachable: reachCell((facts as { mcsReach?: McsReach }).mcsReach),
          mcsReach: (facts as { mcsReach?: McsReach }).mcsReach ?? null,
        } satisfies StatusFacts & Record<string, unknown>;
        const drift = driftReasons(summary, expectedUrlOrNone(ctx.vars));
        const line = [
          `sensor ${summary.sensorVersion ?? 'not found'}${version.status === 'ok' ? '' : ' (not ok)'}`,
          `cert pairs ${certs.pairs.join(',') || 'none'}`,
          `mcs ${summary.mcsConfigured ? (summary.mcsRegion ?? url) : 'not configured'}`,
          `mcs reachable ${summary.mcsReachable}`,
          `service ${summary.service}`,
          `last test alert ${summary.lastTestAlert ?? 'never'}`,
          ...(facts.clock.state === 'unknown' && facts.service === 'active'
            ? [`config loaded: cannot tell (${facts.clock.why})`]
            : []),
        ].join(' · ');
        return planOk(line, { facts: summary, ...(drift.length ? { drift } : {}) });
      },
    }),
  ],
});

/** `test-alert`: trigger the sensor's test alert and verify it, on the chosen hosts. */
export const testAlertPlaybook: Playbook = playbook({
  name: 'SLS test alert',
  validate,
  tasks: [testAlertNow],
});
