// `sophoslinuxsensor`: the sensor binary's command line. It parses flags as a Go program does
// (`-flag` and `--flag` alike; an unknown flag prints usage and exits 2).
import { appendFileSync } from 'node:fs';
import { versionOutput } from './answers.mjs';
import { insidePaths, readHost } from './host.mjs';
import { log } from './journal.mjs';
import { readService } from './service.mjs';
import { parseConfig, enabledOutputs } from './validate.mjs';
import { hangForever } from './session.mjs';

const ALERT = 'Alert Tester';

const paths = insidePaths();
const host = readHost(paths);
const flags = { version: host.versionFlag, 'test-alert': true, help: true, h: true, config: true };

function usage() {
  const lines = [
    'Usage of sophoslinuxsensor:',
    '  -config string',
    '    \tpath to the config file (default "/etc/sophos/runtimedetections.yaml")',
    '  -test-alert',
    '    \tmake the running sensor raise a test alert',
  ];
  if (host.versionFlag) lines.push('  -version', '    \tprint the version and exit');
  return `${lines.join('\n')}\n`;
}

function render(template) {
  return String(template)
    .replace(/\{\{\s*\.StrategyName\s*\}\}/g, ALERT)
    .replace(/\{\{[^}]*\}\}/g, '');
}

function testAlert() {
  if (host.testAlertHangs) return hangForever();
  const service = readService(paths);
  if (service.state !== 'active') {
    process.stderr.write(`sophoslinuxsensor: cannot reach the running sensor: service is ${service.state}\n`);
    process.exit(1);
  }
  const config = service.loadedConfig === null ? {} : parseConfig(service.loadedConfig).config;
  const at = new Date().toISOString();
  for (const out of enabledOutputs(config)) {
    if (out.type === 'stdout') {
      log(
        paths,
        'sophoslinuxsensor',
        service.pid,
        out.template ? render(out.template) : JSON.stringify({ strategy_name: ALERT, created_at: at }),
      );
    } else if (out.type === 'mcs') {
      const delivery = { host: host.name, url: out.url, apiKey: out.api_key, alert: ALERT, at };
      appendFileSync(host.inbox, `${JSON.stringify(delivery)}\n`);
    }
  }
  process.stdout.write(`test alert "${ALERT}" raised\n`);
}

const args = process.argv.slice(2);
if (args.length === 0) {
  process.stderr.write('sophoslinuxsensor: the sensor runs as a service; use systemctl start sophoslinuxsensor\n');
  process.exit(1);
}
for (const arg of args) {
  const name = arg.replace(/^--?/, '').split('=')[0];
  if (!arg.startsWith('-') || !flags[name]) {
    process.stderr.write(`flag provided but not defined: ${arg.startsWith('-') ? `-${name}` : arg}\n${usage()}`);
    process.exit(2);
  }
}
const wants = new Set(args.map((a) => a.replace(/^--?/, '').split('=')[0]));
if (wants.has('h') || wants.has('help')) {
  process.stderr.write(usage());
} else if (wants.has('version')) {
  process.stdout.write(versionOutput(host));
} else if (wants.has('test-alert')) {
  testAlert();
}
