// The plain-OpenSSH floor for converging SLS hosts: two `ssh` round trips per host, all hosts
// at once (up to --forks). #1 reads the version, the certificate listing and the config; the
// controller decides and computes the new config with sls-play's own edit; #2 carries it over
// stdin, writes it atomically with a backup, restarts, waits until active, triggers the test
// alert and finds it in the journal (the same script sls-play runs).
//   node --import tsx bench/floor.ts <spec.json>
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { analyseCerts } from '../src/sls/certs.ts';
import { editSensorConfig } from '../src/sls/config-edit.ts';
import { testAlertScript } from '../src/sls/test-alert.ts';
import { compareVersions, parseVersion } from '../src/sls/version.ts';

export interface FloorSpec {
  hosts: { name: string; address: string; port: number }[];
  keyPath: string;
  knownHostsPath: string;
  url: string;
  apiKey: string;
  forks: number;
  minVersion: string;
  connectTimeoutS: number;
}

const CONFIG = '/etc/sophos/runtimedetections.yaml';
const CERT_DIR = '/etc/sophos';
const MARK = '--- sls-floor';

function ssh(
  spec: FloorSpec,
  host: FloorSpec['hosts'][number],
  command: string,
  input = '',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'ssh',
      [
        '-F',
        '/dev/null',
        '-o',
        'BatchMode=yes',
        '-o',
        `UserKnownHostsFile=${spec.knownHostsPath}`,
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `ConnectTimeout=${spec.connectTimeoutS}`,
        '-o',
        'LogLevel=ERROR',
        '-i',
        spec.keyPath,
        '-p',
        String(host.port),
        `root@${host.address}`,
        command,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const READ = [
  `sophoslinuxsensor -version 2>&1; echo '${MARK}'`,
  `ls -1A ${CERT_DIR}; echo '${MARK}'`,
  `if [ -f ${CONFIG} ]; then echo present; cat ${CONFIG}; else echo absent; fi`,
].join('; ');

function writeAndProve(): string {
  return [
    'set -e',
    `tmp=$(mktemp ${CONFIG}.floor.XXXXXX)`,
    `trap 'rm -f "$tmp"' EXIT`,
    'cat > "$tmp"',
    'chmod 600 "$tmp"; chown 0:0 "$tmp"',
    `if [ -f ${CONFIG} ]; then cp -p ${CONFIG} ${CONFIG}.$(date +%Y%m%d-%H%M%S).bak; fi`,
    `mv -f "$tmp" ${CONFIG}`,
    'trap - EXIT',
    'set +e',
    'systemctl restart sophoslinuxsensor || exit 10',
    'i=0; until [ "$(systemctl is-active sophoslinuxsensor)" = active ]; do i=$((i+1)); [ $i -gt 80 ] && exit 11; sleep 0.25; done',
    testAlertScript({ execPrefix: '', testTimeoutS: 30 }, true),
  ].join('\n');
}

async function converge(spec: FloorSpec, host: FloorSpec['hosts'][number]): Promise<string | undefined> {
  const read = await ssh(spec, host, READ);
  if (read.code !== 0) return `read: exit ${read.code}: ${read.stderr.trim()}`;
  const [versionOut = '', listing = '', configOut = ''] = read.stdout.split(`${MARK}\n`);
  const version = parseVersion(versionOut.trim().split(/\s+/)[0] ?? '');
  if (!version || compareVersions(version, parseVersion(spec.minVersion)!) < 0)
    return `sensor version ${versionOut.trim()} too old or unknown`;
  const certs = analyseCerts(listing.split('\n').filter(Boolean), CERT_DIR);
  if (certs.pairs.length === 0) return 'no certificate pair';
  const current = configOut.startsWith('present\n') ? configOut.slice('present\n'.length) : null;
  const edit = editSensorConfig(current, {
    url: spec.url,
    apiKey: spec.apiKey,
    deployment: 'package',
    certDir: CERT_DIR,
  });
  if (!edit.ok) return edit.message;
  if (!edit.changed) return undefined;
  const write = await ssh(spec, host, writeAndProve(), edit.text);
  if (write.code !== 0 || !/^seen: /m.test(write.stdout))
    return `write/restart/test: exit ${write.code}: ${(write.stderr || write.stdout).trim()}`;
  return undefined;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as FloorSpec;
const queue = [...spec.hosts];
const failures: string[] = [];
await Promise.all(
  Array.from({ length: Math.min(spec.forks, queue.length) }, async () => {
    for (let host = queue.shift(); host; host = queue.shift()) {
      const problem = await converge(spec, host);
      if (problem) failures.push(`${host.name}: ${problem}`);
    }
  }),
);
for (const f of failures) process.stderr.write(`${f}\n`);
process.stdout.write(`${spec.hosts.length - failures.length}/${spec.hosts.length} hosts converged\n`);
process.exitCode = failures.length ? 2 : 0;
