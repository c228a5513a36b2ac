// ProxyJump: the target lives in a network namespace of its own and accepts only the bastion's
// address, so the only way in is through the bastion, which stands in both namespaces.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, resolveConnectOptions } from '../../src/transport/index.ts';
import { UnreachableError, type ConnectOptions } from '../../src/transport/types.ts';
import {
  generateKey,
  makeTempDir,
  removeDir,
  reserveAddressBlock,
  startNetns,
  startSshd,
  type TestNetns,
  type TestSshd,
} from '../helpers/sshd.ts';
import { connectOptionsFor } from '../helpers/connect-options.ts';

const block = reserveAddressBlock();
const BASTION = `${block.prefix}.10`;
const TARGET = `${block.prefix}.20`;
const pattern = (text: string) => text.replace(/[.[\]]/g, '\\$&');

let dir: string;
let netns: TestNetns;
let bastion: TestSshd;
let target: TestSshd;
let clientKey: string;
let knownHosts: string;

function hop(address: string, overrides: Partial<ConnectOptions> = {}): ConnectOptions {
  return connectOptionsFor({ name: address, address, port: 2222 }, { key: clientKey, knownHosts }, overrides);
}

before(async () => {
  delete process.env.SSH_AUTH_SOCK;
  dir = await makeTempDir();
  clientKey = join(dir, 'client');
  const publicKey = await generateKey(clientKey);
  netns = await startNetns(BASTION);
  target = await startSshd({
    dir,
    address: TARGET,
    authorizedKeys: [publicKey],
    netnsPid: netns.pid,
    extraConfig: `AllowUsers root@${BASTION}`,
  });
  bastion = await startSshd({ dir, address: BASTION, authorizedKeys: [publicKey], netnsPid: netns.pid, inetd: true });
  knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, bastion.knownHostsLine() + target.knownHostsLine());
});

after(async () => {
  await bastion?.stop();
  await target?.stop();
  await netns?.stop();
  if (dir) await removeDir(dir);
  block.release();
});

test('the target cannot be reached directly', async () => {
  await assert.rejects(
    connect(hop(TARGET)),
    (error: unknown) => error instanceof UnreachableError && error.reason === 'refused',
  );
});

test('through the bastion: the target sees the bastion as its peer; closing closes the hops', async () => {
  const connection = await connect({ ...hop(TARGET), name: 'inner', proxyJump: [hop(BASTION)] });
  const ssh = (await connection.exec('echo $SSH_CONNECTION')).stdout.trim().split(' ');
  assert.equal(ssh[0], BASTION);
  assert.deepEqual(ssh.slice(2), [TARGET, '2222']);
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => connection.exec(`echo ${i}`)));
  assert.deepEqual(
    results.map((r) => r.stdout),
    Array.from({ length: 12 }, (_, i) => `${i}\n`),
  );
  assert.match(await target.log(), new RegExp(`Accepted publickey for root from ${pattern(BASTION)}`));
  assert.equal(bastion.activeConnections(), 1);
  await connection.close();
  for (let i = 0; i < 40 && bastion.activeConnections() > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(bastion.activeConnections(), 0, 'the bastion connection ended with the target');
});

test('ProxyJump from an ssh config file, each hop resolved through it', async () => {
  const config = join(dir, 'ssh_config');
  await writeFile(
    config,
    `Host jumpbox\n  HostName ${BASTION}\n  Port 2222\n  User root\n  IdentityFile ${clientKey}\n\nHost inner\n  HostName ${TARGET}\n  Port 2222\n  ProxyJump jumpbox\n`,
  );
  const options = resolveConnectOptions(
    'inner',
    { ansible_user: 'root', ansible_ssh_private_key_file: clientKey },
    {
      sshConfigFile: config,
      knownHostsFile: knownHosts,
      hostKeyChecking: 'strict',
      connectTimeoutMs: 20_000,
    },
  );
  assert.deepEqual(
    options.proxyJump?.map((h) => `${h.user}@${h.address}:${h.port}`),
    [`root@${BASTION}:2222`],
  );
  const connection = await connect(options);
  assert.equal((await connection.exec('echo $SSH_CONNECTION')).stdout.split(' ')[0], BASTION);
  await connection.close();
});

test('every hop has its host key checked', async () => {
  /** Connecting through the bastion with a known_hosts holding only `line` fails naming the unknown key. */
  const refusedWithOnly = async (file: string, line: string, message: RegExp) => {
    const knownHostsFile = join(dir, file);
    await writeFile(knownHostsFile, line);
    const through = connect({ ...hop(TARGET, { knownHostsFile }), proxyJump: [hop(BASTION, { knownHostsFile })] });
    await assert.rejects(through, (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(error.reason, 'host-key-unknown');
      assert.match(error.message, message);
      return true;
    });
  };
  await refusedWithOnly(
    'kh_bastion_only',
    bastion.knownHostsLine(),
    new RegExp(`^host key for ${pattern(`[${TARGET}]`)}:2222 is not in`),
  );
  await refusedWithOnly(
    'kh_target_only',
    target.knownHostsLine(),
    new RegExp(`^bastion root@${pattern(BASTION)}:2222: host key for ${pattern(`[${BASTION}]`)}:2222 is not in`),
  );
});
