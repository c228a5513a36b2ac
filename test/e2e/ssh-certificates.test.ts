// SSH certificates end to end over the default (ssh2) client, against real sshd hosts that trust
// a user CA (TrustedUserCAKeys, no authorized_keys) and present host certificates, with a
// known_hosts holding nothing but one @cert-authority line. The CA is made with ssh-keygen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import { startFleet, type Fleet } from '../fleet/fleet.ts';
import { runCli, type CliRun } from '../helpers/cli.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { parseJsonReport } from './deploy-helpers.ts';

const KEY = 'tok-Certs-4Hq8Wn2Xc6Rt1Yb9';
const URL_EU = 'https://mcs2-cloudstation-eu-west-1.prod.hydra.sophos.com';

let fleet: Fleet;
let dir: string;
let agent: ChildProcess | undefined;
const agentSocket = () => join(dir, 'agent.sock');

const keygen = (...args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { stdio: 'pipe' });
const file = (name: string) => join(dir, name);

function newKey(name: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519'): string {
  keygen('-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', `certs-${name}`, '-f', file(name));
  return file(name);
}

/** Signs `<key>.pub` into `<key>-cert.pub` (ssh-keygen's name) and returns that file. */
function signUser(key: string, ca: string, validity = '-5m:+1h'): string {
  keygen('-s', file(ca), '-I', `certs-user-${key.split('/').pop()}`, '-n', 'root', '-V', validity, `${key}.pub`);
  return `${key}-cert.pub`;
}

// which CA signs each host's key, and for which principal ('' : no certificate at all)
const HOST_CERTS: Record<string, { ca: string; principal?: string }> = {
  'cert-01': { ca: 'host_ca' },
  'cert-02': { ca: 'host_ca' },
  'cert-03': { ca: 'host_ca' },
  'cert-04': { ca: 'host_ca' },
  'rogue-01': { ca: 'rogue_ca' },
  'elsewhere-01': { ca: 'host_ca', principal: 'elsewhere.example' },
  'plain-01': { ca: '' },
};

type Endpoint = { address: string; port: number };

function writeInventory(
  name: string,
  hosts: string[],
  vars: Record<string, unknown>,
  others: Record<string, Endpoint> = {},
): string {
  const sensors: Record<string, Record<string, unknown>> = {};
  for (const host of hosts) {
    const h = others[host] ?? fleet.host(host);
    sensors[host] = { ansible_host: h.address, ansible_port: h.port, ansible_user: 'root', ...vars };
  }
  const path = file(`${name}.yml`);
  writeFileSync(path, YAML.stringify({ all: { children: { sensors: { hosts: sensors } } } }));
  return path;
}

interface Scenario {
  inventory: string;
  sshConfig?: string;
  agent?: boolean;
}

function cli([command, ...args]: string[], scenario: Scenario): Promise<CliRun> {
  return runCli(
    [
      command!,
      '--known-hosts',
      file('known_hosts'),
      '--ssh-config',
      scenario.sshConfig ?? file('empty_config'),
      ...args,
    ],
    {
      env: {
        HOME: file('home'), // no default keys, no ~/.ssh/config of the machine's
        SSH_AUTH_SOCK: scenario.agent ? agentSocket() : '',
        SLS_API_KEY: KEY,
      },
    },
  );
}

const exec = (scenario: Scenario, pattern: string) =>
  cli(['exec', scenario.inventory, pattern, '--json', '--', 'hostname; whoami'], scenario);
const deploy = (scenario: Scenario, pattern: string) =>
  cli(['deploy', scenario.inventory, '-l', pattern, '-e', 'sls_region=eu-west-1', '--json'], scenario);

function startAgent(): Promise<void> {
  agent = spawn('ssh-agent', ['-D', '-a', agentSocket()], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 5_000;
    const wait = () => {
      if (existsSync(agentSocket())) return resolve();
      if (Date.now() > deadline) return reject(new Error('ssh-agent did not start'));
      setTimeout(wait, 20);
    };
    wait();
  });
}

let beside: Scenario;
let certificateFile: Scenario;
let throughAgent: Scenario;
let expired: Scenario;
let noCertificate: Scenario;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sls-certs-test-'));
  chmodSync(dir, 0o755);
  mkdirSync(file('home'));
  for (const ca of ['user_ca', 'host_ca', 'rogue_ca']) newKey(ca);
  fleet = await startFleet(
    Object.keys(HOST_CERTS).map((name) => ({
      name,
      config: null,
      sshdConfig: [`TrustedUserCAKeys ${file('user_ca.pub')}`, 'AuthorizedKeysFile none'],
    })),
    {
      subnet: 233,
      certifyHostKey: ({ name, address, hostKeyFile }) => {
        const { ca, principal } = HOST_CERTS[name]!;
        if (ca === '') return '';
        keygen('-s', file(ca), '-I', `certs-host-${name}`, '-h', '-n', principal ?? address, `${hostKeyFile}.pub`);
        return `${hostKeyFile}-cert.pub`;
      },
    },
  );
  writeFileSync(file('known_hosts'), `@cert-authority * ${readFileSync(file('host_ca.pub'), 'utf8')}`);
  writeFileSync(file('empty_config'), '');

  const besideKey = newKey('id_beside');
  signUser(besideKey, 'user_ca');
  beside = {
    inventory: writeInventory('beside', ['cert-01', 'cert-02', 'rogue-01', 'elsewhere-01', 'plain-01'], {
      ansible_ssh_private_key_file: besideKey,
    }),
  };

  const rsaKey = newKey('id_named', 'rsa');
  mkdirSync(file('certs'));
  writeFileSync(file('certs/root-named.pub'), readFileSync(signUser(rsaKey, 'user_ca')));
  rmSync(`${rsaKey}-cert.pub`); // only CertificateFile names it
  writeFileSync(file('named_config'), `Host *\n  CertificateFile ${file('certs')}/%r-named.pub\n`);
  certificateFile = {
    inventory: writeInventory('named', ['cert-03'], { ansible_ssh_private_key_file: rsaKey }),
    sshConfig: file('named_config'),
  };

  const agentKey = newKey('id_agent');
  signUser(agentKey, 'user_ca');
  await startAgent();
  execFileSync('ssh-add', ['-q', agentKey], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket() }, stdio: 'pipe' });
  rmSync(agentKey); // the agent holds the only copy of the key and its certificate
  rmSync(`${agentKey}-cert.pub`);
  throughAgent = { inventory: writeInventory('agent', ['cert-04'], {}), agent: true };

  const oldKey = newKey('id_old');
  signUser(oldKey, 'user_ca', '20200101000000Z:20200102000000Z');
  expired = { inventory: writeInventory('expired', ['cert-01'], { ansible_ssh_private_key_file: oldKey }) };

  const bareKey = newKey('id_bare');
  noCertificate = { inventory: writeInventory('bare', ['cert-01'], { ansible_ssh_private_key_file: bareKey }) };
});

// hosts whose certificate is on an RSA or ECDSA host key (the fleet's are ed25519), in the
// fleet's own address range
let otherKeyTypes: TestSshd[] = [];

async function startCertifiedSshd(type: 'rsa' | 'ecdsa', address: string): Promise<TestSshd> {
  const hostKey = newKey(`host_${type}`, type);
  keygen('-s', file('host_ca'), '-I', `certs-host-${type}`, '-h', '-n', address, `${hostKey}.pub`);
  return startSshd({
    dir,
    address,
    hostKeyFile: hostKey,
    authorizedKeys: [],
    extraConfig: [
      `HostCertificate ${hostKey}-cert.pub`,
      `TrustedUserCAKeys ${file('user_ca.pub')}`,
      'AuthorizedKeysFile none',
    ].join('\n'),
  });
}

after(async () => {
  for (const sshd of otherKeyTypes) await sshd.stop();
  agent?.kill();
  await fleet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface ExecDoc {
  hosts: Record<string, { status: string; steps: Array<{ status: string; message?: string; stdout?: string }> }>;
}

function hostsOf(run: CliRun): ExecDoc['hosts'] {
  try {
    return (JSON.parse(run.stdout) as ExecDoc).hosts;
  } catch {
    assert.fail(`not one JSON document (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** The host's sshd log says which certificate let the user in. */
function acceptedCertificate(host: string): string {
  const log = readFileSync(join(fleet.host(host).root, 'sshd', 'sshd.log'), 'utf8');
  return log.match(/^Accepted publickey for root .*$/gm)?.join('\n') ?? '';
}

function assertRanAsRoot(run: CliRun, hosts: string[]): void {
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const doc = hostsOf(run);
  for (const host of hosts) assert.equal(doc[host]?.steps[0]?.stdout, `${host}\nroot\n`, JSON.stringify(doc[host]));
}

function assertDeployed(run: CliRun, hosts: string[]): void {
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const report = parseJsonReport(run.stdout);
  for (const host of hosts) assert.equal(report.hosts[host]?.status, 'changed', JSON.stringify(report.hosts[host]));
  const delivered = fleet.centralInbox().filter((d) => hosts.includes(d.host));
  assert.deepEqual(delivered.map((d) => d.host).sort(), [...hosts].sort(), 'one test alert per host');
  for (const d of delivered) {
    assert.equal(d.url, URL_EU);
    assert.equal(d.apiKey, KEY);
  }
}

/** An unreachable host's one message: it names the host and never offers to bypass the CA. */
function refusal(run: CliRun, host: string): string {
  assert.equal(run.code, 3, run.stdout + run.stderr);
  const doc = hostsOf(run);
  assert.equal(doc[host]?.status, 'unreachable', JSON.stringify(doc[host]));
  const message = doc[host]!.steps[0]!.message ?? '';
  assert.doesNotMatch(message, /ssh-keyscan|accept-new/, message);
  return message;
}

const endpoint = (host: string) => `[${fleet.host(host).address}]:${fleet.host(host).port}`;

test('a certificate beside the key: exec logs in with it where no authorized_keys exists', async () => {
  assertRanAsRoot(await exec(beside, 'cert-01:cert-02'), ['cert-01', 'cert-02']);
  assert.match(acceptedCertificate('cert-01'), /ED25519-CERT .*ID certs-user-id_beside/);
});

test('a certificate beside the key: a full deploy converges and delivers the test alert', async () => {
  assertDeployed(await deploy(beside, 'cert-01:cert-02'), ['cert-01', 'cert-02']);
});

test('an RSA certificate named by CertificateFile (with %r): exec and a full deploy', async () => {
  assertRanAsRoot(await exec(certificateFile, 'cert-03'), ['cert-03']);
  assert.match(acceptedCertificate('cert-03'), /RSA-CERT .*ID certs-user-id_named/);
  assertDeployed(await deploy(certificateFile, 'cert-03'), ['cert-03']);
});

test('a certificate held only by ssh-agent: exec and a full deploy', async () => {
  assertRanAsRoot(await exec(throughAgent, 'cert-04'), ['cert-04']);
  assert.match(acceptedCertificate('cert-04'), /ED25519-CERT .*ID certs-user-id_agent/);
  assertDeployed(await deploy(throughAgent, 'cert-04'), ['cert-04']);
});

test('host certificates on RSA and ECDSA host keys are asked for and accepted', async () => {
  const base = fleet.host('cert-01').address.split('.').slice(0, 2).join('.');
  otherKeyTypes = [
    await startCertifiedSshd('rsa', `${base}.200.1`),
    await startCertifiedSshd('ecdsa', `${base}.200.2`),
  ];
  const [rsa, ecdsa] = otherKeyTypes as [TestSshd, TestSshd];
  const inventory = writeInventory(
    'key-types',
    ['rsa-host', 'ecdsa-host'],
    { ansible_ssh_private_key_file: file('id_beside') },
    {
      'rsa-host': rsa,
      'ecdsa-host': ecdsa,
    },
  );
  const run = await cli(['exec', inventory, 'all', '--json', '--', 'whoami'], { inventory });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const doc = hostsOf(run);
  for (const host of ['rsa-host', 'ecdsa-host'])
    assert.equal(doc[host]?.steps[0]?.stdout, 'root\n', JSON.stringify(doc[host]));
});

test('a host certificate signed by another CA is refused, naming the host and the untrusted CA', async () => {
  const message = refusal(await exec(beside, 'rogue-01'), 'rogue-01');
  assert.match(
    message,
    /the host certificate of \S+ is signed by a CA that no @cert-authority line in \S+known_hosts trusts/,
  );
  assert.ok(message.includes(endpoint('rogue-01')), message);
});

test('a host certificate for another name is refused: its principals do not include the address connected to', async () => {
  const host = fleet.host('elsewhere-01');
  const message = refusal(await exec(beside, 'elsewhere-01'), 'elsewhere-01');
  assert.ok(
    message.includes(`the principals of the host certificate (elsewhere.example) do not include ${host.address}`),
    message,
  );
});

test('a plain host key where only a CA vouches for the host: refused without keyscan advice', async () => {
  const message = refusal(await exec(beside, 'plain-01'), 'plain-01');
  assert.match(message, /presented a plain ssh-ed25519 host key, not a host certificate/);
  assert.ok(message.includes(endpoint('plain-01')), message);
});

test('an expired user certificate: authentication fails and the message says when it expired', async () => {
  const message = refusal(await exec(expired, 'cert-01'), 'cert-01');
  assert.match(message, /authentication failed for root@/);
  assert.ok(message.includes(`your certificate ${file('id_old')}-cert.pub expired at 2020-01-02 00:00 UTC`), message);
  assert.match(message, /no usable certificate was offered: renew it/);
});

test('a key without a certificate on a host that trusts only the user CA: the error mentions the certificate', async () => {
  const message = refusal(await exec(noCertificate, 'cert-01'), 'cert-01');
  assert.match(message, /authentication failed for root@\S+ \(tried key \S+id_bare\)/);
  assert.match(message, /no certificate was offered/);
  assert.match(message, /TrustedUserCAKeys/);
});
