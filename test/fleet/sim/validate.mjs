// The checks the sensor daemon makes on its config when it starts. Each problem is one
// sentence, as the daemon would log it.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compareVersions, MCS_MIN_VERSION } from './version.mjs';

// loaded on first use: most simulated commands (`-version`, `is-active`) never parse YAML,
// and each is a fresh Node process
const require = createRequire(import.meta.url);
let yaml = null;
const YAML = () => (yaml ??= require('yaml'));

const OUTPUT_TYPES = ['stdout', 'file', 'mcs', 'webhook', 'syslog', 'gcp_pubsub', 'splunk'];

export function parseConfig(text) {
  const doc = YAML().parseDocument(text);
  if (doc.errors.length > 0) return { error: `yaml: ${doc.errors[0].message.split('\n')[0].replace(/:$/, '')}` };
  return { config: doc.toJS() ?? {} };
}

/** The outputs the daemon would run: enabled unless `enabled: false`. */
export function enabledOutputs(config) {
  const outputs = config?.alert_output?.outputs;
  return Array.isArray(outputs) ? outputs.filter((o) => o && o.enabled !== false) : [];
}

function completeCertPairs(dir) {
  if (!existsSync(dir)) return [];
  const names = new Set(readdirSync(dir));
  return [...names]
    .map((n) => /^sophosca(\d+)\.crt$/.exec(n))
    .filter((m) => m && names.has(`sophosca${m[1]}.crl`))
    .map((m) => Number(m[1]));
}

function checkContainerCerts(config, paths) {
  const problems = [];
  const certs = config.mcs_certs;
  const crls = config.certificate_revocation_list;
  if (!Array.isArray(certs) || certs.length === 0) problems.push('mcs_certs must list at least one CA certificate');
  if (!Array.isArray(crls) || crls.length === 0)
    problems.push('certificate_revocation_list must list at least one CRL');
  for (const c of Array.isArray(certs) ? certs : []) {
    if (!existsSync(paths.resolve(String(c)))) problems.push(`mcs_certs: open ${c}: no such file or directory`);
  }
  for (const c of Array.isArray(crls) ? crls : []) {
    if (!String(c).endsWith('.crl'))
      problems.push(`certificate_revocation_list: ${c} is not a CRL file (expected .crl)`);
    else if (!existsSync(paths.resolve(String(c))))
      problems.push(`certificate_revocation_list: open ${c}: no such file or directory`);
  }
  return problems;
}

/** Returns the reasons the daemon refuses this config (empty: it starts). */
export function validateConfig(text, host, paths) {
  if (text === null) return [];
  const parsed = parseConfig(text);
  if (parsed.error) return [`failed to parse config: ${parsed.error}`];
  const config = parsed.config;
  if (typeof config !== 'object' || Array.isArray(config))
    return ['failed to parse config: top level must be a mapping'];
  const outputs = config.alert_output?.outputs;
  if (
    config.alert_output !== undefined &&
    config.alert_output !== null &&
    outputs !== undefined &&
    !Array.isArray(outputs)
  ) {
    return ['invalid config: alert_output.outputs must be a list'];
  }
  const problems = [];
  let mcsEnabled = false;
  for (const [i, out] of (Array.isArray(outputs) ? outputs : []).entries()) {
    const type = out?.type;
    if (!OUTPUT_TYPES.includes(type)) {
      problems.push(`invalid config: alert_output.outputs[${i}]: unknown output type "${type}"`);
      continue;
    }
    if (type !== 'mcs') continue;
    if (compareVersions(host.version, MCS_MIN_VERSION) < 0) {
      problems.push(`invalid config: alert_output.outputs[${i}]: unknown output type "mcs"`);
      continue;
    }
    if (out.enabled === false) continue;
    mcsEnabled = true;
    if (typeof out.url !== 'string' || !out.url.startsWith('https://'))
      problems.push(`invalid config: alert_output.outputs[${i}]: mcs url must start with https://`);
    if (typeof out.api_key !== 'string' || out.api_key === '')
      problems.push(`invalid config: alert_output.outputs[${i}]: mcs output needs an api_key`);
  }
  if (mcsEnabled && host.deployment === 'package' && completeCertPairs(paths.sophos).length === 0) {
    problems.push(`mcs: no CA certificate pair (sophosca<N>.crt with sophosca<N>.crl) in /etc/sophos`);
  }
  if (mcsEnabled && host.deployment === 'container') problems.push(...checkContainerCerts(config, paths));
  return problems;
}
