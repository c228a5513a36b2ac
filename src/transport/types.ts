/** How a command runs on a host. */
export interface ExecOptions {
  /** Sent to the command's standard input, then closed. Secrets travel here, never in `command`. */
  stdin?: string | Buffer;
  /** Per-command timeout in milliseconds; the command is killed and `CommandTimeoutError` thrown. */
  timeoutMs?: number;
  /** Run as root through the host's become settings (sudo), when the connection has become enabled. */
  become?: boolean;
  /**
   * A command made of stages (several changes sent in one round trip): when a stage's marker line
   * appears on stdout, the timeout starts again with that stage's own (its timeoutMs, else the
   * command's), so each stage keeps the bound it would have had alone.
   */
  stages?: { marker: string; timeoutMs?: number }[];
  /** Sees stdout as it arrives (progress of a staged command, even one that is then cut off). */
  onStdout?: (chunk: string) => void;
  /** Sees the command's own stderr as it arrives (never sudo's words). */
  onStderr?: (chunk: string) => void;
  /**
   * Keeps the command's stdin open (after `stdin` is sent) until this settles: a command that
   * lives as long as the run (the run lock's holder) ends when it reads end of input, and so does
   * it when the connection dies. The returned promise stays pending until the command exits.
   */
  holdStdinUntil?: Promise<unknown>;
}

/** What a command on a host gave: its exit code and output, whatever the code. */
export interface ExecResult {
  /** Exit code; 255 when the remote end reported none (killed by a signal). */
  code: number;
  /** Everything it wrote to standard output. */
  stdout: string;
  /** Everything it wrote to standard error. */
  stderr: string;
}

/** One live connection to one host, reused for every command of the run. */
export interface Connection {
  readonly host: string;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';

export interface BecomeSettings {
  enabled: boolean;
  user: string;
  /** sudo password; undefined means passwordless sudo. Sent over stdin only. */
  password?: string;
}

export interface ConnectOptions {
  /** Inventory name, used in messages. */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Tried in order before the ssh-agent. */
  privateKeyFiles: string[];
  /** CertificateFile: user certificates; when set, no `<key>-cert.pub` is looked for. */
  certificateFiles?: string[];
  /** HostKeyAlias: the name known_hosts and host certificates are checked under. */
  hostKeyAlias?: string;
  privateKeyPassphrase?: string;
  password?: string;
  knownHostsFile: string;
  /** More known_hosts files checked too (a UserKnownHostsFile naming several); new keys go to knownHostsFile. */
  extraKnownHostsFiles?: string[];
  hostKeyChecking: HostKeyChecking;
  /** 0: no timeout (ssh's ConnectTimeout 0). */
  connectTimeoutMs: number;
  commandTimeoutMs?: number;
  become?: BecomeSettings;
  /**
   * ProxyCommand, tokens expanded: run through the user's shell, its stdin and stdout carry the
   * connection. Only the first hop of a chain has one (the outermost bastion, or the host itself).
   */
  proxyCommand?: string;
  /** Bastions to hop through, outermost first. */
  proxyJump?: Array<Omit<ConnectOptions, 'proxyJump' | 'become' | 'name'> & { name?: string }>;
}

export type UnreachableReason =
  | 'refused'
  | 'timeout'
  | 'authentication'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'dns'
  | 'disconnected'
  | 'other';

/** The host could not be reached or was lost: the host is reported `unreachable`, the others go on. */
export class UnreachableError extends Error {
  constructor(
    readonly reason: UnreachableReason,
    message: string,
  ) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** A command ran past its timeout: the host is reported `failed` with the command named. */
export class CommandTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    /** For a staged command: the stage that ran out of time. */
    readonly stage?: number,
  ) {
    super(`command timed out after ${timeoutMs / 1000} s: ${command}`);
    this.name = 'CommandTimeoutError';
  }
}

export type BecomeFailure = 'password-rejected' | 'password-required' | 'not-permitted' | 'sudo-missing' | 'other';

/**
 * sudo would not run the command (wrong or missing password, user not allowed, no sudo): the
 * host is reported `failed`. The message never contains the password.
 */
export class BecomeError extends Error {
  constructor(
    readonly reason: BecomeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'BecomeError';
  }
}
