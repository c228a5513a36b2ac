import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseSshClient, ClientChoiceError, type ClientChoiceInput } from '../../../src/transport/client-choice.ts';

const input = (over: Partial<ClientChoiceInput> = {}): ClientChoiceInput => ({
  host: 'web-01',
  vars: {},
  config: { keywords: {}, unevaluatedMatches: [] },
  unhonouredSshArgs: [],
  ...over,
});
const config = (keywords: Record<string, string>, unevaluatedMatches: string[] = []) => ({
  keywords,
  unevaluatedMatches,
});

describe('chooseSshClient', () => {
  test('auto takes certificates that ssh2 cannot take to OpenSSH, after every other reason', () => {
    const certificates =
      'known_hosts trusts web-01 through a CA (@cert-authority), and the ssh2 client cannot take host certificates here (ssh2 2.0.0)';
    assert.deepEqual(chooseSshClient(input({ certificates })), { client: 'openssh', reason: certificates });
    assert.match(
      chooseSshClient(input({ certificates, config: config({ gssapiauthentication: 'yes' }) })).reason,
      /GSSAPIAuthentication/,
    );
    assert.equal(chooseSshClient(input({ certificates, option: 'ssh2' })).client, 'ssh2');
  });

  test('auto keeps ssh2 when nothing needs OpenSSH', () => {
    assert.deepEqual(chooseSshClient(input()), {
      client: 'ssh2',
      reason: 'auto: nothing in the ssh config or ssh arguments needs OpenSSH',
    });
    assert.equal(chooseSshClient(input({ config: config({ gssapiauthentication: 'no' }) })).client, 'ssh2');
    assert.equal(chooseSshClient(input({ config: config({ pkcs11provider: 'none' }) })).client, 'ssh2');
  });

  test('auto picks OpenSSH for what ssh2 cannot do, and says why', () => {
    const cases: Array<[Partial<ClientChoiceInput>, RegExp]> = [
      [{ config: config({ gssapiauthentication: 'yes' }) }, /GSSAPIAuthentication yes \(Kerberos\)/],
      [{ config: config({ pkcs11provider: '/usr/lib/opensc-pkcs11.so' }) }, /PKCS11Provider \/usr\/lib\/opensc/],
      [{ config: config({ securitykeyprovider: '/usr/lib/libsk.so' }) }, /SecurityKeyProvider/],
      [
        { identityKeyTypes: { '/k/id_rsa': 'ssh-rsa', '/k/id_ed25519_sk': 'sk-ssh-ed25519@openssh.com' } },
        /identity \/k\/id_ed25519_sk is a FIDO security key \(sk-ssh-ed25519@openssh\.com\)/,
      ],
      [{ config: config({ knownhostscommand: '/usr/bin/kh %H' }) }, /KnownHostsCommand/],
      [
        { config: config({}, ['cfg:3 Match canonical']) },
        /Match criteria only ssh evaluates \(cfg:3 Match canonical\)/,
      ],
      [
        { unhonouredSshArgs: ['-o ForwardAgent=yes'] },
        /ssh arguments the ssh2 client does not honour: -o ForwardAgent=yes/,
      ],
    ];
    for (const [over, why] of cases) {
      const choice = chooseSshClient(input(over));
      assert.equal(choice.client, 'openssh', JSON.stringify(over));
      assert.match(choice.reason, why);
    }
  });

  test("the system-wide file's GSSAPIAuthentication yes (Debian's default) needs OpenSSH only with a Kerberos ticket", () => {
    const system = {
      config: {
        keywords: { gssapiauthentication: 'yes' },
        keywordFiles: { gssapiauthentication: '/etc/ssh/ssh_config' },
        unevaluatedMatches: [],
      },
      systemConfigFile: '/etc/ssh/ssh_config',
    };
    assert.equal(chooseSshClient(input(system)).client, 'ssh2');
    assert.match(chooseSshClient(input({ ...system, kerberosTicket: true })).reason, /Kerberos ticket/);
    assert.equal(chooseSshClient(input({ ...system, kerberosTicket: true })).client, 'openssh');
  });

  test('the command line wins over sls_ssh_client, which wins over auto', () => {
    const gss = config({ gssapiauthentication: 'yes' });
    assert.deepEqual(chooseSshClient(input({ vars: { sls_ssh_client: 'openssh' } })), {
      client: 'openssh',
      reason: 'chosen by sls_ssh_client=openssh',
    });
    assert.deepEqual(chooseSshClient(input({ option: 'ssh2', vars: { sls_ssh_client: 'openssh' } })), {
      client: 'ssh2',
      reason: 'chosen by --ssh-client ssh2',
    });
    assert.equal(chooseSshClient(input({ option: 'auto', vars: { sls_ssh_client: 'openssh' } })).client, 'ssh2');
    assert.match(
      chooseSshClient(input({ vars: { sls_ssh_client: 'ssh2' }, config: gss })).reason,
      /^chosen by sls_ssh_client=ssh2, although the ssh config sets GSSAPIAuthentication yes/,
    );
  });

  test('ssh2 asked for with ssh arguments it cannot honour, or a bad sls_ssh_client: a clear error', () => {
    assert.throws(
      () => chooseSshClient(input({ option: 'ssh2', unhonouredSshArgs: ['-o', 'ForwardAgent=yes'] })),
      (error: unknown) =>
        error instanceof ClientChoiceError &&
        error.message ===
          'web-01: the ssh2 client (--ssh-client ssh2) cannot honour these ssh arguments: -o ForwardAgent=yes; remove them or use --ssh-client openssh',
    );
    assert.throws(
      () => chooseSshClient(input({ vars: { sls_ssh_client: 'putty' } })),
      /web-01: sls_ssh_client is "putty"; it must be one of auto, ssh2, openssh/,
    );
  });
});
