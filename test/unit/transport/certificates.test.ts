// OpenSSH certificates made by ssh-keygen, read by our parser and judged as OpenSSH judges them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkHostCertificate, principalMatches } from '../../../src/transport/cert-authority.ts';
import {
  formatCertTime,
  parseCertificate,
  parseCertificateLine,
  validityProblem,
  type SshCertificate,
} from '../../../src/transport/certificate.ts';
import { hashKnownHostsName, parseKnownHosts } from '../../../src/transport/known_hosts.ts';
import { certificateAlgorithms, ssh2Shape } from '../../../src/transport/ssh2-cert-auth.ts';
import { verifySshSignature } from '../../../src/transport/ssh_signature.ts';
import { certificatesNeedOpenSsh } from '../../../src/transport/certificate-client-choice.ts';
import { certificateFilesFor, userCertificateProblem } from '../../../src/transport/user-certificates.ts';
import { lookupSshConfig, parseSshConfig } from '../../../src/transport/ssh_config.ts';

let dir: string;
const file = (name: string) => join(dir, name);
const keygen = (...args: string[]) => execFileSync('ssh-keygen', ['-q', ...args], { stdio: 'pipe' });
const blobOf = (pub: string) => Buffer.from(readFileSync(file(pub), 'utf8').split(' ')[1]!, 'base64');
const caLine = (pub: string, hosts = '*') => `@cert-authority ${hosts} ${readFileSync(file(pub), 'utf8').trim()}`;

function key(name: string, type = 'ed25519'): string {
  keygen('-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file(name));
  return name;
}

/** ssh-keygen -s: a certificate of `name`.pub, returned as the blob of `name`-cert.pub. */
function sign(name: string, ca: string, options: string[]): Buffer {
  keygen('-s', file(ca), '-I', `id-${name}`, ...options, file(`${name}.pub`));
  return blobOf(`${name}-cert.pub`);
}

function parsed(blob: Buffer): SshCertificate {
  const cert = parseCertificate(blob);
  assert.ok(!(cert instanceof Error), String(cert));
  return cert;
}

const now = BigInt(Math.floor(Date.now() / 1000));
const target = (principalName: string, lookupName = `[${principalName}]:2222`) => ({
  lookupName,
  principalName,
  files: ['/home/me/.ssh/known_hosts'],
});

let hostCert: Buffer;
let ecdsaHostCert: Buffer;
let rsaUserCert: Buffer;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sls-certs-unit-'));
  key('ca');
  key('other_ca');
  key('rsa_ca', 'rsa');
  key('ecdsa_ca', 'ecdsa');
  key('host');
  key('host_ec', 'ecdsa');
  key('user_rsa', 'rsa');
  hostCert = sign('host', 'ca', ['-h', '-n', '10.0.4.7,*.example.com', '-z', '42']);
  ecdsaHostCert = sign('host_ec', 'ecdsa_ca', ['-h', '-n', 'db.example.com']);
  rsaUserCert = sign('user_rsa', 'rsa_ca', ['-n', 'root,deploy', '-V', '20200101000000Z:20200102000000Z']);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('certificate parser', () => {
  test('a host certificate: type, key, serial, id, principals, CA, forever valid', () => {
    const cert = parsed(hostCert);
    assert.equal(cert.type, 'ssh-ed25519-cert-v01@openssh.com');
    assert.equal(cert.baseType, 'ssh-ed25519');
    assert.equal(cert.kind, 'host');
    assert.equal(cert.serial, 42n);
    assert.equal(cert.keyId, 'id-host');
    assert.deepEqual(cert.principals, ['10.0.4.7', '*.example.com']);
    assert.deepEqual(cert.publicKey, blobOf('host.pub'));
    assert.deepEqual(cert.signatureKey, blobOf('ca.pub'));
    assert.equal(formatCertTime(cert.validBefore), 'forever');
    assert.equal(cert.criticalOptions.size, 0);
  });

  test('an RSA user certificate from an RSA CA: principals, window, extensions', () => {
    const cert = parsed(rsaUserCert);
    assert.equal(cert.kind, 'user');
    assert.equal(cert.type, 'ssh-rsa-cert-v01@openssh.com');
    assert.deepEqual(cert.principals, ['root', 'deploy']);
    assert.deepEqual(cert.publicKey, blobOf('user_rsa.pub'));
    assert.equal(formatCertTime(cert.validAfter), '2020-01-01 00:00 UTC');
    assert.ok(cert.extensions.includes('permit-pty'), cert.extensions.join());
  });

  test('the -cert.pub line form, and what is not a certificate', () => {
    const line = readFileSync(file('host-cert.pub'), 'utf8');
    assert.deepEqual(parsed((parseCertificateLine(line) as SshCertificate).blob), parsed(hostCert));
    assert.match(String(parseCertificateLine(readFileSync(file('host.pub'), 'utf8'))), /not an OpenSSH certificate/);
    assert.match(String(parseCertificate(hostCert.subarray(0, 60))), /malformed certificate/);
  });

  test("the CA's signature verifies for ed25519, RSA (rsa-sha2-512) and ECDSA CAs, and fails on one changed byte", () => {
    for (const blob of [hostCert, rsaUserCert, ecdsaHostCert]) {
      const cert = parsed(blob);
      assert.deepEqual(verifySshSignature(cert.signatureKey, cert.signature, cert.signed).ok, true, cert.type);
      const forged = Buffer.from(cert.signed);
      forged[forged.length - 200] ^= 1;
      assert.equal(verifySshSignature(cert.signatureKey, cert.signature, forged).ok, false, cert.type);
    }
  });
});

describe('validity and principals', () => {
  test('outside its window a certificate says when, in UTC', () => {
    const cert = parsed(rsaUserCert);
    assert.equal(validityProblem(cert, now), 'expired at 2020-01-02 00:00 UTC');
    assert.equal(validityProblem(cert, 1577836800n - 1n), 'is not valid before 2020-01-01 00:00 UTC');
    assert.equal(validityProblem(cert, 1577836800n + 60n), undefined);
    assert.equal(
      userCertificateProblem('~/.ssh/id_rsa-cert.pub', cert, now),
      'your certificate ~/.ssh/id_rsa-cert.pub expired at 2020-01-02 00:00 UTC',
    );
    assert.match(
      String(userCertificateProblem('x', parsed(hostCert), now)),
      /host certificate, not a user certificate/,
    );
  });

  test('principal patterns: * and ? as OpenSSH match_pattern', () => {
    assert.ok(principalMatches('*.example.com', 'web.example.com'));
    assert.ok(!principalMatches('*.example.com', 'example.com'));
    assert.ok(principalMatches('web?', 'web1'));
    assert.ok(!principalMatches('web?', 'web10'));
    assert.ok(!principalMatches('10.0.4.7', '10.0.4.70'));
    assert.ok(!principalMatches('10.0.4.7', '10x0x4x7'));
  });
});

describe('host certificate against known_hosts', () => {
  const entries = (...lines: string[]) =>
    parseKnownHosts(lines.join('\n')).map((e) => ({ ...e, file: '/home/me/.ssh/known_hosts' }));

  test('trusted: a @cert-authority line for the name, its CA, a listed principal', () => {
    const verdict = checkHostCertificate(entries('# fleet', caLine('ca.pub')), target('10.0.4.7'), hostCert, now);
    assert.equal(verdict.status, 'trusted');
    assert.equal(verdict.status === 'trusted' && verdict.line, 2);
  });

  test('wildcard principal, and HostKeyAlias as the name checked', () => {
    const kh = entries(caLine('ca.pub', 'web*.example.com'));
    assert.equal(
      checkHostCertificate(kh, target('web7.example.com', 'web7.example.com'), hostCert, now).status,
      'trusted',
    );
    const ecdsa = entries(caLine('ecdsa_ca.pub'));
    assert.equal(
      checkHostCertificate(ecdsa, target('db.example.com', 'db.example.com'), ecdsaHostCert, now).status,
      'trusted',
    );
  });

  test('signed by a CA no line trusts (or trusts for another name): refused, naming the host', () => {
    for (const kh of [entries(caLine('other_ca.pub')), entries(caLine('ca.pub', 'elsewhere.example'))]) {
      const verdict = checkHostCertificate(kh, target('10.0.4.7'), hostCert, now);
      assert.equal(verdict.status, 'refused');
      assert.equal(
        verdict.status === 'refused' && verdict.why,
        'the host certificate of [10.0.4.7]:2222 is signed by a CA that no @cert-authority line in /home/me/.ssh/known_hosts trusts for that name',
      );
    }
  });

  test('a negated pattern on the @cert-authority line rules the host out; a hashed name rules it in', () => {
    const negated = entries(caLine('ca.pub', '*,![10.0.4.7]:2222'));
    assert.equal(checkHostCertificate(negated, target('10.0.4.7'), hostCert, now).status, 'refused');
    const hashed = entries(caLine('ca.pub', hashKnownHostsName('[10.0.4.7]:2222', Buffer.alloc(20, 7))));
    assert.equal(checkHostCertificate(hashed, target('10.0.4.7'), hostCert, now).status, 'trusted');
  });

  test('principals naming another host: refused with the principals and the name', () => {
    const verdict = checkHostCertificate(entries(caLine('ecdsa_ca.pub')), target('10.0.4.7'), ecdsaHostCert, now);
    assert.equal(
      verdict.status === 'refused' && verdict.why,
      'the principals of the host certificate (db.example.com) do not include 10.0.4.7',
    );
  });

  test('a user certificate offered as a host key, and an expired host certificate, are refused', () => {
    const asHost = checkHostCertificate(entries(caLine('rsa_ca.pub')), target('root'), rsaUserCert, now);
    assert.match(asHost.status === 'refused' ? asHost.why : '', /presented a user certificate, not a host certificate/);
    const later = now + 10n ** 12n;
    key('host_short');
    const short = sign('host_short', 'ca', ['-h', '-n', '10.0.4.7', '-V', '-5m:+1h']);
    const expired = checkHostCertificate(entries(caLine('ca.pub')), target('10.0.4.7'), short, later);
    assert.match(
      expired.status === 'refused' ? expired.why : '',
      /^the host certificate of \[10\.0\.4\.7\]:2222 .* expired at /,
    );
  });

  test('@revoked: the host key or the CA marked revoked is refused as revoked', () => {
    const hostKey = readFileSync(file('host.pub'), 'utf8').trim();
    const ca = readFileSync(file('ca.pub'), 'utf8').trim();
    for (const [revoked, what] of [
      [hostKey, 'its host key'],
      [ca, 'the CA that signed it'],
    ] as const) {
      const verdict = checkHostCertificate(
        entries(caLine('ca.pub'), `@revoked * ${revoked}`),
        target('10.0.4.7'),
        hostCert,
        now,
      );
      assert.equal(verdict.status, 'refused');
      assert.equal(verdict.status === 'refused' && verdict.revoked, true);
      assert.match(
        verdict.status === 'refused' ? verdict.why : '',
        new RegExp(`REVOKED: ${what} is marked @revoked \\(/home/me/.ssh/known_hosts:2\\)`),
      );
    }
  });
});

describe('user certificates: where they are looked for, how they are offered', () => {
  test('beside each identity unless CertificateFile is set', () => {
    assert.deepEqual(certificateFilesFor(['/k/id_a', '/k/id_b'], []), ['/k/id_a-cert.pub', '/k/id_b-cert.pub']);
    assert.deepEqual(certificateFilesFor(['/k/id_a'], ['/c/one.pub']), ['/c/one.pub']);
  });

  test('CertificateFile accumulates with tokens expanded; HostKeyAlias is read', () => {
    const config = parseSshConfig(
      'Host web1\n  HostKeyAlias web.example.com\n  CertificateFile ~/.ssh/%r@%h-cert.pub\nHost *\n  CertificateFile /etc/ssh/certs/%u.pub\n',
    );
    const found = lookupSshConfig(config, 'web1', { home: '/home/me', localUser: 'me', user: 'root' });
    assert.deepEqual(found.certificateFiles, ['/home/me/.ssh/root@web1-cert.pub', '/etc/ssh/certs/me.pub']);
    assert.equal(found.hostKeyAlias, 'web.example.com');
    assert.equal(lookupSshConfig(config, 'db', { home: '/home/me', localUser: 'me' }).hostKeyAlias, undefined);
  });

  test('RSA certificates take the first SHA-2 algorithm server-sig-algs allows; the signature names the base', () => {
    assert.deepEqual(certificateAlgorithms('ssh-rsa', ['ssh-ed25519', 'rsa-sha2-256', 'rsa-sha2-512']), {
      request: 'rsa-sha2-512-cert-v01@openssh.com',
      signature: 'rsa-sha2-512',
      hash: 'sha512',
    });
    assert.equal(certificateAlgorithms('ssh-rsa', ['rsa-sha2-256']).request, 'rsa-sha2-256-cert-v01@openssh.com');
    assert.deepEqual(certificateAlgorithms('ssh-ed25519', undefined), {
      request: 'ssh-ed25519-cert-v01@openssh.com',
      signature: 'ssh-ed25519',
      hash: null,
    });
  });
});

test('the installed ssh2 has the internals the certificate overrides rely on (fails when ssh2 changes: re-check ssh2-cert-auth.ts)', () => {
  assert.equal(ssh2Shape(createRequire(import.meta.url)), undefined);
});

test('where ssh2 cannot take certificates, hosts that need them are sent to the OpenSSH client', async () => {
  writeFileSync(file('kh_ca'), `${caLine('ca.pub', '*.example.com')}\n`);
  const host = (address: string, keys: string[] = []) => ({
    address,
    port: 22,
    knownHostsFile: file('kh_ca'),
    privateKeyFiles: keys,
  });
  const problem = 'ssh2 9.0.0 is not a version this support was checked against';
  assert.equal(await certificatesNeedOpenSsh(host('web.example.com'), undefined), undefined);
  assert.match(
    String(await certificatesNeedOpenSsh(host('web.example.com'), problem)),
    /trusts web\.example\.com through a CA \(@cert-authority\), and the ssh2 client cannot take host certificates here \(ssh2 9\.0\.0/,
  );
  assert.match(
    String(await certificatesNeedOpenSsh(host('10.0.0.1', [file('user_rsa')]), problem)),
    /a user certificate \(\S+user_rsa-cert\.pub\) is to be offered/,
  );
  assert.equal(await certificatesNeedOpenSsh(host('10.0.0.1', [file('other_ca')]), problem), undefined);
});
