/** The Sophos Linux Sensor building blocks: what `import { … } from 'sls-play/sls'` gives. */
export { slsSettings, slsReadSettings, type SlsSettings } from './settings.ts';
export { sensorFacts, serviceFacts } from './facts.ts';
export { checkVersion, checkCerts } from './steps/checks.ts';
export { configureSensor } from './steps/configure.ts';
export { restartSensor } from './steps/restart.ts';
export { testAlert } from './steps/test-alert.ts';
export { summariseSensorConfig } from './config-read.ts';
