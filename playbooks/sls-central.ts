/**
 * Sophos Linux Sensor → Sophos Central: the sensor is new enough, its CA certificates are there,
 * its config sends alerts to Central (keeping everything else), and a test alert proves it.
 * With `-e sls_central=absent` the mcs output is taken out again (restart and test included).
 */
import { playbook } from 'sls-play';
import {
  checkCerts,
  checkVersion,
  checkMcsEndpoint,
  configureSensor,
  deployFacts,
  describeSensorFacts,
  forceRestart,
  restartSensor,
  slsReadSettings,
  slsSettings,
  testAlertAfterDeploy,
} from 'sls-play/sls';

export default playbook({
  name: 'SLS alert export to Sophos Central',

  // Region/URL and API key are checked on every host before any host is touched.
  validate: (vars) => void slsSettings(vars),

  // Sensor version, certificate files, the config and the MCS endpoint probe, in one command.
  facts: (vars) => deployFacts(slsSettings(vars)),
  describeFacts: describeSensorFacts,

  tasks: (host) => [
    checkVersion,
    checkCerts,
    checkMcsEndpoint,
    configureSensor,
    // only when asked, so a normal run's task list stays as it was (needs no key: --list-tasks)
    ...(slsReadSettings(host.vars).forceRestart ? [forceRestart] : []),
  ],

  handlers: [restartSensor, testAlertAfterDeploy],
});
