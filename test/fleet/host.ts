// A running simulated host as tests see it: its files, its service state, its sshd.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { journalText } from './sim/journal.mjs';
import { readService } from './sim/service.mjs';
import type { HostPaths } from './sim/host.d.mts';
import { newKeyPair, writePrivateKey, type KeyPair } from './keys.ts';
import { CONFIG_NAME } from './layout.ts';
import { Sshd, type SshdSpec } from './sshd.ts';
import type { FleetHost, FleetOptions, HostProfile, ServiceState, SshActivity } from './types.ts';

export class SimulatedHost implements FleetHost {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly root: string;
  private readonly sshd: Sshd;
  private key: KeyPair;

  constructor(
    readonly profile: HostProfile,
    spec: SshdSpec,
    private readonly paths: HostPaths,
    certify?: FleetOptions['certifyHostKey'],
  ) {
    this.name = profile.name;
    this.address = spec.address;
    this.port = spec.port;
    this.root = spec.root;
    this.key = this.writeHostKey();
    const hostKeyFile = join(this.root, 'sshd', 'host_ed25519');
    const certificate = certify?.({ name: this.name, address: this.address, hostKeyFile });
    const extraConfig = [...(profile.sshdConfig ?? []), ...(certificate ? [`HostCertificate ${certificate}`] : [])];
    this.sshd = new Sshd({ ...spec, listenAlso: profile.listenAddresses, allowFrom: profile.allowFrom, extraConfig });
  }

  private writeHostKey(): KeyPair {
    const key = newKeyPair(`${this.name} host key`);
    writePrivateKey(join(this.root, 'sshd', 'host_ed25519'), key);
    return key;
  }

  private get configFile(): string {
    return join(this.paths.sophos, CONFIG_NAME);
  }

  readConfig(): string | null {
    return existsSync(this.configFile) ? readFileSync(this.configFile, 'utf8') : null;
  }

  configMode(): number | null {
    return existsSync(this.configFile) ? statSync(this.configFile).mode & 0o7777 : null;
  }

  listSophosDir(): string[] {
    return readdirSync(this.paths.sophos)
      .filter((n) => n !== 'lost+found')
      .sort();
  }

  restartCount(): number {
    return readService(this.paths).restarts;
  }

  serviceState(): ServiceState {
    return readService(this.paths).state;
  }

  loadedConfig(): string | null {
    return readService(this.paths).loadedConfig;
  }

  journal(): string {
    return journalText(this.paths, this.name);
  }

  hostKey(): string {
    return this.key.publicKey;
  }

  private sshdLog(): string {
    return existsSync(this.sshd.logFile) ? readFileSync(this.sshd.logFile, 'utf8') : '';
  }

  acceptedLogins(): number {
    return this.sshdLog().match(/^Accepted \S+ for /gm)?.length ?? 0;
  }

  sshActivity(): SshActivity {
    const log = this.sshdLog();
    return {
      connections: log.match(/^Accepted \S+ for /gm)?.length ?? 0,
      commands: log.match(/^Starting session: command /gm)?.length ?? 0,
    };
  }

  owedRecords(): Record<string, unknown> {
    const dir = join(this.root, 'sls-play');
    return Object.fromEntries(
      this.owedRecordFiles().map((n) => [n, JSON.parse(readFileSync(join(dir, n), 'utf8')) as unknown]),
    );
  }

  owedRecordModes(): Record<string, number> {
    const dir = join(this.root, 'sls-play');
    return Object.fromEntries(this.owedRecordFiles().map((n) => [n, statSync(join(dir, n)).mode & 0o777]));
  }

  private owedRecordFiles(): string[] {
    const dir = join(this.root, 'sls-play');
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
  }

  dropSessions(): number {
    return this.sshd.dropSessions();
  }

  isUp(): boolean {
    return this.sshd.isUp();
  }

  stopSshd(): Promise<void> {
    return this.sshd.stop();
  }

  startSshd(): Promise<void> {
    return this.sshd.start();
  }

  async rotateHostKey(): Promise<void> {
    const wasUp = this.sshd.isUp();
    await this.sshd.stop();
    this.key = this.writeHostKey();
    if (wasUp) await this.sshd.start();
  }
}
