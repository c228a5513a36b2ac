// Sample configs and hosts, shaped like what operators really have on their machines.
import type { HostProfile } from './types.ts';

/** A typical operator config: comments, site keys and two outputs that must survive edits. */
export const OPERATOR_CONFIG = `# Sophos Linux Sensor runtime detections: managed by the platform team
customer_id: 6f1c2a9e-3b7d-4c55-9d0e-2a4b8c7f1e30
cloud_meta: auto
send_labs_telemetry: true
endpoint_telemetry_enabled: false

alert_output:
  outputs:
    # alerts into the journal, read by the log shipper
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'
    - type: file
      enabled: true
      path: /var/log/sophos/alerts.json
      # keep a week of rotated files
      max_backups: 7
`;

/** Already sends to Central (an older region's URL and key, to be updated in place). */
export const MCS_CONFIG = `# Sophos Linux Sensor runtime detections
customer_id: 0b9d8c7a-1e2f-4a3b-8c5d-6e7f8a9b0c1d
send_labs_telemetry: false

alert_output:
  outputs:
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'
    - type: mcs
      enabled: true
      url: "https://mcs2-cloudstation-us-west-2.prod.hydra.sophos.com"
      api_key: "old-repository-token-0000"
`;

/** A containerised sensor's config, with the CA files of the image. */
export const CONTAINER_CONFIG = `# runtimedetections.yaml mounted into the sls container
customer_id: 3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f
mcs_certs: ["/etc/sophos-certs/sophosca1.crt", "/etc/sophos-certs/sophosca2.crt"]
certificate_revocation_list: ["/etc/sophos-certs/sophosca1.crl", "/etc/sophos-certs/sophosca2.crl"]

alert_output:
  outputs:
    - type: stdout
      enabled: true
      template: 'Alert triggered: {{ .StrategyName}}'
`;

/** The vendor's documented example, with a .crt in the CRL list (a known documentation error). */
export const CONTAINER_CONFIG_CRT_AS_CRL = CONTAINER_CONFIG.replace(
  '/etc/sophos-certs/sophosca2.crl"]',
  '/etc/sophos-certs/sophosca2.crt"]',
);

/** Does not parse: a tab where YAML needs spaces and an unclosed flow sequence. */
export const MALFORMED_CONFIG = `customer_id: 1234
alert_output:
  outputs: [
\t- type: stdout
`;

/** A small varied fleet for the demo and for end-to-end tests. */
export function demoProfiles(): HostProfile[] {
  return [
    { name: 'web-01', version: '5.10.0.3', config: OPERATOR_CONFIG, groups: ['web'] },
    { name: 'web-02', version: '5.5.2.22', config: OPERATOR_CONFIG, groups: ['web'] },
    { name: 'db-01', version: '5.11.0', config: MCS_CONFIG, groups: ['db'] },
    { name: 'db-02', version: '5.10.0.3', certPairs: [1], config: OPERATOR_CONFIG, groups: ['db'] },
    { name: 'legacy-01', version: '5.4.1.3', certPairs: [], config: OPERATOR_CONFIG, groups: ['legacy'] },
    { name: 'edge-01', version: '5.9.1.7', versionFlag: false, config: OPERATOR_CONFIG, groups: ['edge'] },
  ];
}

/** `count` healthy hosts, sensor-01 … sensor-NN, for benchmarks and scale tests. */
export function healthyProfiles(count: number, prefix = 'sensor'): HostProfile[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${String(i + 1).padStart(width, '0')}`,
    config: OPERATOR_CONFIG,
  }));
}
