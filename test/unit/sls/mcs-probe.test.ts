// The MCS endpoint probe's script, run here with each client it may find on a host (a PATH that
// holds only that client and the basic tools) against listeners on 127.0.0.1: a TLS server, a
// closed port, a listener that never answers, and one that speaks something other than TLS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { mcsProbeFact, parseProbe, describeReach, reachCell } from '../../../src/sls/mcs-probe.ts';
import { startSilentListener, startTlsListener } from '../../fleet/mcs-endpoint.ts';

const run = promisify(execFile);
const BASIC = ['sh', 'sed', 'tr', 'grep', 'head', 'cut', 'tail', 'cat', 'rm'];
const CLIENTS: Record<string, string[]> = {
  curl: ['curl'],
  openssl: ['openssl', 'timeout'],
  bash: ['bash', 'timeout'],
  python3: ['python3'],
  none: [],
};

let dir: string;
let endpoint: Awaited<ReturnType<typeof startTlsListener>>;
let silent: Awaited<ReturnType<typeof startSilentListener>>;
let plain: net.Server;
let plainPort: number;

async function which(name: string): Promise<string | undefined> {
  // the real binary, not a version manager's shim that needs its own environment
  for (const d of ['/usr/bin', '/bin', '/usr/local/bin']) {
    try {
      await run('test', ['-x', join(d, name)]);
      return join(d, name);
    } catch {}
  }
  return undefined;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcs-probe-unit-'));
  for (const [client, tools] of Object.entries(CLIENTS)) {
    const bin = join(dir, client);
    await run('mkdir', ['-p', bin]);
    for (const tool of [...BASIC, ...tools]) {
      const path = await which(tool);
      if (path) symlinkSync(path, join(bin, tool));
    }
  }
  endpoint = await startTlsListener('127.0.0.1');
  silent = await startSilentListener('127.0.0.1');
  plain = net.createServer((s) => {
    s.on('error', () => {});
    s.end('SSH-2.0-OpenSSH_9.2\r\n');
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  plainPort = (plain.address() as net.AddressInfo).port;
});

after(async () => {
  await endpoint?.stop();
  await silent?.stop();
  plain?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function probe(client: string, url: string) {
  const fact = mcsProbeFact(url, { timeoutS: 1 });
  const began = Date.now();
  let stdout = '';
  try {
    stdout = (await run('/bin/sh', ['-c', fact.command], { env: { PATH: join(dir, client) } })).stdout;
  } catch (error) {
    stdout = (error as { stdout: string }).stdout;
  }
  return { reach: fact.parse(stdout, 0, ''), ms: Date.now() - began };
}

const EXPECTED: Record<string, Record<string, string>> = {
  curl: { tls: 'ok', closed: 'refused', silent: 'timed-out-tls', plain: 'tls-failed' },
  openssl: { tls: 'ok', closed: 'refused', silent: 'timed-out', plain: 'tls-failed' },
  // bash has no TLS: a TCP connect is all it can prove
  bash: { tls: 'ok-tcp', closed: 'refused', silent: 'ok-tcp', plain: 'ok-tcp' },
  python3: { tls: 'ok', closed: 'refused', silent: 'timed-out-tls', plain: 'tls-failed' },
  none: { tls: 'cannot-tell', closed: 'cannot-tell', silent: 'cannot-tell', plain: 'cannot-tell' },
};

for (const client of Object.keys(CLIENTS)) {
  describe(`the probe with ${client}`, () => {
    test('names the reason for each kind of endpoint, within the timeout', async () => {
      const urls: Record<string, string> = {
        tls: `https://127.0.0.1:${endpoint.port}`,
        closed: 'https://127.0.0.1:1',
        silent: `https://127.0.0.1:${silent.port}`,
        plain: `https://127.0.0.1:${plainPort}`,
      };
      for (const [kind, url] of Object.entries(urls)) {
        const { reach, ms } = await probe(client, url);
        assert.equal(reach.reason, EXPECTED[client]![kind], `${client} on ${kind}`);
        assert.equal(reach.client, client === 'none' ? 'none' : client);
        assert.ok(ms < 3000, `${client} on ${kind} took ${ms} ms with a 1 s timeout`);
      }
    });
  });
}

test('the answer is read into words, the proxy shown without its credentials', () => {
  const target = { host: 'mcs.example.com', port: 443, timeoutS: 5 };
  const reach = parseProbe('from host\nproxy proxy.corp:3128\nprobe curl refused 7\n', target);
  assert.deepEqual(reach, {
    reachable: 'no',
    reason: 'refused',
    endpoint: 'mcs.example.com:443',
    client: 'curl',
    proxy: 'proxy.corp:3128',
    from: 'host',
  });
  assert.equal(describeReach(reach), 'connection refused (curl, through proxy proxy.corp:3128)');
  assert.equal(reachCell(reach), 'connection refused');
  assert.equal(reachCell(undefined), 'not probed');
  const fallback = parseProbe('from host-fallback\nprobe openssl ok 0\n', target);
  assert.equal(
    describeReach(fallback),
    'reachable (TCP and TLS) (openssl, from the host: the exec prefix cannot run a shell in the container)',
  );
  assert.equal(parseProbe('garbage', target).reachable, 'unknown', 'an answer that cannot be read is cannot tell');
  assert.match(
    mcsProbeFact('https://user@h', { timeoutS: 5 }).command,
    /ps=\$\{px#\*:\/\/\}; echo "proxy \$\{ps#\*@\}"/,
  );
});

test('the endpoint is the URL host and port, 443 unless given; the values are quoted once', () => {
  const fact = mcsProbeFact('https://mcs2.stn100bom.ctr.sophos.com:8443/x', { timeoutS: 3 });
  assert.match(fact.command, /^h=mcs2\.stn100bom\.ctr\.sophos\.com p=8443 t=3$/m);
  const container = mcsProbeFact('https://h.example', { timeoutS: 5, container: { execPrefix: 'docker exec sls' } });
  assert.match(container.command, /^if docker exec sls sh -c true /);
  assert.match(container.command, /h=h\.example p=443 t=5$/m);
});
