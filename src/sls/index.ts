/** The Sophos Linux Sensor building blocks: what `import { … } from 'sls-play/sls'` gives. */
export { slsSettings, slsReadSettings, type SlsSettings } from './settings.ts';
export { sensorFacts, serviceFacts, configText, type SensorFacts, type ReadSettings } from './facts.ts';
export {
  settingsOf,
  versionVerdict,
  certVerdict,
  sensorConfigEdit,
  checkVersion,
  checkCerts,
  configureSensor,
  forceRestart,
  restartSensor,
  testAlertTask,
  testAlertAfterDeploy,
  describeSensorFacts,
} from './tasks.ts';
export { summariseSensorConfig, type SensorConfigSummary } from './config-read.ts';
export { removeMcsOutput } from './config-remove.ts';
