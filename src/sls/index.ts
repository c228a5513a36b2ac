/** The Sophos Linux Sensor building blocks: what `import { … } from 'sls-play/sls'` gives. */
export { slsSettings, slsReadSettings, type SlsSettings } from './settings.ts';
export {
  sensorFacts,
  deployFacts,
  mcsReachFacts,
  serviceFacts,
  configText,
  type SensorFacts,
  type ReadSettings,
  type ProbeSettings,
} from './facts.ts';
export { describeReach, reachCell, type McsReach, type ProbeReason } from './mcs-probe.ts';
export type { McsExtra, McsExtraValue } from './mcs-extra.ts';
export {
  settingsOf,
  versionVerdict,
  certVerdict,
  sensorConfigEdit,
  checkVersion,
  checkCerts,
  checkMcsEndpoint,
  reachVerdict,
  configureSensor,
  forceRestart,
  restartSensor,
  testAlertTask,
  testAlertAfterDeploy,
  describeSensorFacts,
} from './tasks.ts';
export { summariseSensorConfig, type SensorConfigSummary } from './config-read.ts';
export { removeMcsOutput } from './config-remove.ts';
