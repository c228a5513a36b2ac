/** What a simulated host is like. Only `name` is required; the rest describe a healthy host. */
export interface HostProfile {
  /** inventory name, e.g. 'web-01'; also the host's hostname inside its namespace */
  name: string;
  /** sensor version, default '5.10.0.3' */
  version?: string;
  /** default true; false: `-version` fails as a Go program does on an unknown flag (exit 2) */
  versionFlag?: boolean;
  /** default true; false: no sensor binary, no package, no unit */
  installed?: boolean;
  /** sophosca<N>.crt/.crl pairs in /etc/sophos; default [1, 2] for an installed package, else [] */
  certPairs?: number[];
  /** odd files in /etc/sophos, e.g. a lone 'sophosca3.crt' */
  extraCertFiles?: string[];
  /** pairs in /etc/sophos-certs; default [1, 2] for an installed container deployment, else [] */
  containerCertPairs?: number[];
  /** initial /etc/sophos/runtimedetections.yaml; null/undefined: no file */
  config?: string | null;
  /** mode of the initial config file, default 0o600 */
  configMode?: number;
  /** default 'package'; 'container': sensor in container `sls` (`docker exec sls …`, `docker restart sls`) */
  deployment?: 'package' | 'container';
  /** every restart fails (unit failed, the journal says why) */
  restartBroken?: boolean;
  /** a restart takes this long */
  slowRestartMs?: number;
  /** `-test-alert` never returns */
  testAlertHangs?: boolean;
  /** no sshd started (connection refused) */
  down?: boolean;
  /** /etc/sophos is a tmpfs of this many bytes, pre-populated like the others */
  diskFullBytes?: number;
  /** the sensor unit's environment (`systemctl show -p Environment`), e.g. ['HTTPS_PROXY=http://…:3128'] */
  unitEnvironment?: string[];
  /** a second systemd unit, `demo.service` (config /etc/sophos/demo.conf), in this state at start */
  demo?: 'active' | 'inactive';
  /** simulated apt packages: installed name → version, and what the repositories offer */
  packages?: { installed?: Record<string, string>; available?: Record<string, string> };
  /** inventory groups besides `sensors` */
  groups?: string[];
  /** extra inventory variables for this host */
  vars?: Record<string, unknown>;
  /** more addresses its sshd listens on (same port), e.g. a bastion's address in another network */
  listenAddresses?: string[];
  /** its sshd lets in only connections from this client address (`AllowUsers *@<addr>`) */
  allowFrom?: string;
  /** programs of /usr/bin this host does not have (hidden by an overlay whiteout), e.g. ['flock'] */
  without?: string[];
  /** more sshd_config lines, placed first so they win (sshd takes the first value), e.g. TrustedUserCAKeys */
  sshdConfig?: string[];
}

/** One alert the simulated Sophos Central received. */
export interface Delivery {
  host: string;
  url: string;
  apiKey: string;
  alert: string;
  at: string;
}

export interface SshActivity {
  connections: number;
  commands: number;
}

export type ServiceState = 'active' | 'failed' | 'inactive';

export interface FleetHost {
  name: string;
  address: string;
  port: number;
  profile: HostProfile;
  /** controller-side directory holding this host's files */
  root: string;
  /** current /etc/sophos/runtimedetections.yaml on the host, null if absent */
  readConfig(): string | null;
  /** its permission bits (e.g. 0o600), null if absent */
  configMode(): number | null;
  /** file names in the host's /etc/sophos, sorted */
  listSophosDir(): string[];
  /** how many restarts of the sensor ran (systemctl or docker) */
  restartCount(): number;
  serviceState(): ServiceState;
  /** the config the running sensor loaded at its last successful start */
  loadedConfig(): string | null;
  /** the host's journal in journalctl's short format */
  journal(): string;
  /** the host's current public host key, `ssh-ed25519 AAAA…` */
  hostKey(): string;
  /** SSH logins its sshd has accepted since the fleet started (one per connection), from sshd's log */
  acceptedLogins(): number;
  /** the owed-handlers records in the host's /var/lib/sls-play: file name → parsed JSON */
  owedRecords(): Record<string, unknown>;
  /** the permission bits of each owed-handlers record (e.g. 0o600): file name → mode */
  owedRecordModes(): Record<string, number>;
  /** kill every SSH session (a dropped connection); sshd keeps listening; returns how many */
  dropSessions(): number;
  /** SSH connections logged in and commands started (exec requests) since the fleet started, from sshd's log */
  sshActivity(): SshActivity;
  /** is its sshd running */
  isUp(): boolean;
  /** kill its sshd and every session (the host goes down) */
  stopSshd(): Promise<void>;
  startSshd(): Promise<void>;
  /** new host key, sshd restarted; the fleet's known_hosts keeps the old key */
  rotateHostKey(): Promise<void>;
}

export interface Fleet {
  dir: string;
  hosts: FleetHost[];
  host(name: string): FleetHost;
  /** Ansible YAML inventory: every host in `sensors`, plus the groups profiles name */
  inventoryPath: string;
  /** `[address]:port ssh-ed25519 …` for every host */
  knownHostsPath: string;
  /** the fleet's ed25519 login key */
  keyPath: string;
  /** what the simulated Central received, from all hosts, in order */
  centralInbox(): Delivery[];
  /** where every region's MCS host name leads on the hosts (a local TLS listener) */
  mcsEndpoint: FleetMcsEndpoint;
  /** N of the fleet's 127.N.0.0/16 range */
  subnet: number;
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** directory for the fleet's files; default a new one under the OS temp dir */
  dir?: string;
  /** N of the 127.N.0.0/16 range to use; default a free one */
  subnet?: number;
  /** sshd port on every host, default 2222 */
  port?: number;
  /** gives a host's new host key a certificate (the file it returns becomes its HostCertificate) */
  certifyHostKey?: (host: { name: string; address: string; hostKeyFile: string }) => string;
}

/** The fleet's stand-in for Sophos's MCS hosts: every region's host name resolves to it on the hosts. */
export interface FleetMcsEndpoint {
  address: string;
  port: number;
  /** TLS handshakes it completed so far. */
  handshakes(): number;
}
