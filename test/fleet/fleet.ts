// A simulated fleet of SLS hosts: a real OpenSSH sshd per host on its own loopback address, each
// in its own namespaces with its own sensor, certificates, config, systemd and journal.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onExit } from './cleanup.ts';
import { mountSmallDisk, type SmallDisk } from './disk.ts';
import { SimulatedHost } from './host.ts';
import { writeInventory, writeKnownHosts } from './inventory.ts';
import { newKeyPair, writePrivateKey } from './keys.ts';
import { makeHostDirs, simHost, writeSophosDir } from './layout.ts';
import { checkMachine, checkNames } from './preflight.ts';
import { boot } from './sim/service.mjs';
import { bootDemo } from './sim/demo-unit.mjs';
import { hostAddress, releaseSubnet, reserveSubnet } from './subnet.ts';
import type { Delivery, Fleet, FleetHost, FleetOptions, HostProfile } from './types.ts';
import { writeSystemTools } from './wrappers.ts';
import { startTlsListener, writeFleetNetwork } from './mcs-endpoint.ts';

/** The port of Sophos's MCS endpoints (the URLs name no port). */
const MCS_PORT = 443;

export type { Delivery, Fleet, FleetHost, FleetOptions, HostProfile, ServiceState, SshActivity } from './types.ts';

export const DEFAULT_PORT = 2222;

function readInbox(file: string): Delivery[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Delivery);
}

export async function startFleet(profiles: HostProfile[], options: FleetOptions = {}): Promise<Fleet> {
  checkMachine();
  checkNames(profiles.map((p) => p.name));
  const port = options.port ?? DEFAULT_PORT;
  const subnet = reserveSubnet(options.subnet);
  const ownDir = options.dir === undefined;
  const dir = ownDir ? mkdtempSync(join(tmpdir(), 'sls-fleet-')) : resolve(options.dir!);
  const disks: SmallDisk[] = [];
  const hosts: SimulatedHost[] = [];
  const forgetSubnet = onExit(() => releaseSubnet(subnet));
  let endpoint: Awaited<ReturnType<typeof startTlsListener>> | undefined;

  const stop = async () => {
    await Promise.all(hosts.map((h) => h.stopSshd()));
    await endpoint?.stop();
    for (const d of disks.splice(0)) d.release();
    releaseSubnet(subnet);
    forgetSubnet();
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // a directory reused from an earlier run starts clean
    rmSync(join(dir, 'hosts'), { recursive: true, force: true });
    rmSync(join(dir, 'central'), { recursive: true, force: true });
    mkdirSync(join(dir, 'central'), { recursive: true });
    const systemTools = join(dir, 'system-tools');
    mkdirSync(systemTools, { recursive: true });
    writeSystemTools(systemTools);
    const keyPath = join(dir, 'id_ed25519');
    const login = newKeyPair('sls-play fleet');
    writePrivateKey(keyPath, login);
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, `${login.publicKey}\n`, { mode: 0o644 });
    // sshd reads AuthorizedKeysFile as the user logging in: non-root logins (sudo users) must reach it
    if (ownDir) chmodSync(dir, 0o711);
    const inbox = join(dir, 'central', 'inbox.jsonl');
    writeFileSync(inbox, '');
    endpoint = await startTlsListener(`127.${subnet}.254.1`, MCS_PORT);
    const network = writeFleetNetwork(dir, endpoint.address, subnet);

    for (const [i, profile] of profiles.entries()) {
      const root = join(dir, 'hosts', profile.name);
      const sim = simHost(profile, inbox);
      const paths = makeHostDirs(root, profile, sim);
      if (profile.diskFullBytes !== undefined)
        disks.push(mountSmallDisk(paths.sophos, profile.diskFullBytes, profile.name));
      try {
        writeSophosDir(paths.sophos, profile, sim);
      } catch (e) {
        throw new Error(
          `fleet host ${profile.name}: cannot populate /etc/sophos (${(e as Error).message}); diskFullBytes must leave room for the certificates and config`,
        );
      }
      await boot(paths, sim);
      if (profile.demo) bootDemo(paths, profile.demo);
      const spec = {
        name: profile.name,
        address: hostAddress(subnet, i),
        port,
        root,
        systemTools,
        authorizedKeys,
        network,
        ...(profile.without?.length ? { hiddenTools: hideTools(root, profile.without) } : {}),
      };
      hosts.push(new SimulatedHost(profile, spec, paths, options.certifyHostKey));
    }

    const started = await Promise.allSettled(hosts.filter((h) => !h.profile.down).map((h) => h.startSshd()));
    const failures = started.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      const more = failures.length > 1 ? ` (and ${failures.length - 1} more hosts)` : '';
      throw new Error(`${(failures[0].reason as Error).message}${more}`);
    }

    const entries = hosts.map((h) => ({ profile: h.profile, address: h.address, port: h.port, hostKey: h.hostKey() }));
    const inventoryPath = join(dir, 'hosts.yml');
    writeInventory(inventoryPath, entries, keyPath);
    const knownHostsPath = join(dir, 'known_hosts');
    writeKnownHosts(knownHostsPath, entries);

    const byName = new Map<string, FleetHost>(hosts.map((h) => [h.name, h]));
    return {
      dir,
      hosts,
      host(name: string): FleetHost {
        const h = byName.get(name);
        if (!h) throw new Error(`no host "${name}" in the fleet (hosts: ${[...byName.keys()].join(', ')})`);
        return h;
      },
      inventoryPath,
      knownHostsPath,
      keyPath,
      centralInbox: () => readInbox(inbox),
      mcsEndpoint: endpoint,
      subnet,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A directory of overlay whiteouts (character devices 0/0): laid over /usr/bin, those programs are gone. */
function hideTools(root: string, names: string[]): string {
  const dir = join(root, 'hidden-usr-bin');
  mkdirSync(dir, { recursive: true });
  for (const name of names) execFileSync('mknod', [join(dir, name), 'c', '0', '0']);
  return dir;
}
