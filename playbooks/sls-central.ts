/**
 * Sophos Linux Sensor → Sophos Central: the sensor is new enough, its CA certificates are there,
 * its config sends alerts to Central (keeping everything else), and a test alert proves it.
 */
import { gatherFacts, ok, playbook, step } from 'sls-play';
import {
  checkCerts,
  checkVersion,
  configureSensor,
  restartSensor,
  sensorFacts,
  slsSettings,
  summariseSensorConfig,
  testAlert,
} from 'sls-play/sls';

export default playbook({
  name: 'SLS alert export to Sophos Central',

  // Region/URL and API key are checked on every host before any host is touched.
  validate: (vars) => void slsSettings(vars),

  steps: [
    step('gather facts', async (ctx) => {
      const facts = await gatherFacts(ctx, sensorFacts(slsSettings(ctx.vars)));
      return ok(facts.config ? `config present (${facts.config.content.length} bytes)` : 'no config file yet');
    }),

    step('sensor version', async (ctx) => checkVersion(ctx, slsSettings(ctx.vars))),

    step('certificates', async (ctx) => checkCerts(ctx, slsSettings(ctx.vars))),

    step('config', async (ctx) => configureSensor(ctx, slsSettings(ctx.vars), ctx.facts.certPairs as number[])),
  ],

  handlers: [
    step('restart sensor', async (ctx) => restartSensor(ctx, slsSettings(ctx.vars))),

    step('test alert', async (ctx) => {
      const config = summariseSensorConfig(ctx.facts.editedConfig as string);
      return testAlert(ctx, slsSettings(ctx.vars), config.stdoutEnabled);
    }),
  ],
});
