/**
 * Which SSH client reaches a host. ssh2 (in process, the fast one) unless the host needs what only
 * OpenSSH can do; OpenSSH when asked for or needed. A pure function: the caller reads the files.
 */
import type { SshConfigHost } from './ssh_config.ts';

export type SshClientSetting = 'auto' | 'ssh2' | 'openssh';
export type SshClient = 'ssh2' | 'openssh';

export const SSH_CLIENT_SETTINGS: readonly SshClientSetting[] = ['auto', 'ssh2', 'openssh'];

export interface ClientChoiceInput {
  /** The inventory host, for messages. */
  host: string;
  /** --ssh-client: wins over the variable. */
  option?: SshClientSetting;
  /** The host's variables (`sls_ssh_client`). */
  vars: Record<string, unknown>;
  /** The host's ssh config as it applies (keywords and Match lines sls-play could not evaluate). */
  config: Pick<SshConfigHost, 'keywords' | 'keywordFiles' | 'unevaluatedMatches'>;
  /**
   * The system-wide ssh config, and whether the user holds a Kerberos ticket: Debian and Ubuntu
   * ship `GSSAPIAuthentication yes` there for every host, which needs OpenSSH only with a ticket.
   */
  systemConfigFile?: string;
  kerberosTicket?: boolean;
  /** The key type of each identity file the host may use (from its .pub), where known. */
  identityKeyTypes?: Record<string, string>;
  /** ssh arguments (ansible_ssh_*args) the ssh2 client does not honour. */
  unhonouredSshArgs: string[];
  /** Why the host's certificates (host or user) need OpenSSH, when ssh2 cannot take them here. */
  certificates?: string;
}

export interface ClientChoice {
  client: SshClient;
  /** Why, in words, for -v. */
  reason: string;
}

/** A setting no client can honour as written: the host fails with this message. */
export class ClientChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientChoiceError';
  }
}

function setting(input: ClientChoiceInput): { value: SshClientSetting; from: string } {
  if (input.option !== undefined) return { value: input.option, from: `--ssh-client ${input.option}` };
  const raw = input.vars.sls_ssh_client;
  if (raw === undefined || raw === null || raw === '') return { value: 'auto', from: 'the default (auto)' };
  const value = String(raw).toLowerCase();
  if (!(SSH_CLIENT_SETTINGS as readonly string[]).includes(value)) {
    throw new ClientChoiceError(
      `${input.host}: sls_ssh_client is "${String(raw)}"; it must be one of ${SSH_CLIENT_SETTINGS.join(', ')}`,
    );
  }
  return { value: value as SshClientSetting, from: `sls_ssh_client=${value}` };
}

const on = (value: string | undefined): boolean => value !== undefined && /^(yes|true)$/i.test(value);
const set = (value: string | undefined): boolean => value !== undefined && value.toLowerCase() !== 'none';

/** What in the ssh config or arguments the ssh2 client cannot do, first found first. */
export function needsOpenSsh(input: ClientChoiceInput): string | undefined {
  const k = input.config.keywords;
  if (on(k.gssapiauthentication)) {
    const fromSystem =
      input.systemConfigFile !== undefined &&
      input.config.keywordFiles?.gssapiauthentication === input.systemConfigFile;
    if (!fromSystem) return 'the ssh config sets GSSAPIAuthentication yes (Kerberos), which ssh2 cannot do';
    if (input.kerberosTicket) {
      return `${input.systemConfigFile} sets GSSAPIAuthentication yes and you hold a Kerberos ticket, which ssh2 cannot use`;
    }
  }
  if (set(k.pkcs11provider))
    return `the ssh config sets PKCS11Provider ${k.pkcs11provider} (a token or smartcard), which ssh2 cannot use`;
  if (set(k.securitykeyprovider))
    return 'the ssh config sets SecurityKeyProvider (FIDO security keys), which ssh2 cannot use';
  const sk = Object.entries(input.identityKeyTypes ?? {}).find(([, type]) => type.startsWith('sk-'));
  if (sk) return `the identity ${sk[0]} is a FIDO security key (${sk[1]}), which ssh2 cannot use`;
  if (set(k.knownhostscommand)) return 'the ssh config sets KnownHostsCommand, which ssh2 cannot run';
  if (input.config.unevaluatedMatches.length > 0) {
    return `the ssh config has Match criteria only ssh evaluates (${input.config.unevaluatedMatches.join('; ')})`;
  }
  if (input.unhonouredSshArgs.length > 0) {
    return `ssh arguments the ssh2 client does not honour: ${input.unhonouredSshArgs.join(' ')}`;
  }
  return input.certificates;
}

export function chooseSshClient(input: ClientChoiceInput): ClientChoice {
  const { value, from } = setting(input);
  if (value === 'openssh') return { client: 'openssh', reason: `chosen by ${from}` };
  const need = needsOpenSsh(input);
  if (value === 'ssh2') {
    // arguments the user wrote for ssh must not be dropped without a word
    if (input.unhonouredSshArgs.length > 0) {
      throw new ClientChoiceError(
        `${input.host}: the ssh2 client (${from}) cannot honour these ssh arguments: ${input.unhonouredSshArgs.join(' ')}; remove them or use --ssh-client openssh`,
      );
    }
    return { client: 'ssh2', reason: `chosen by ${from}${need ? `, although ${need}` : ''}` };
  }
  if (need) return { client: 'openssh', reason: need };
  return { client: 'ssh2', reason: 'auto: nothing in the ssh config or ssh arguments needs OpenSSH' };
}
