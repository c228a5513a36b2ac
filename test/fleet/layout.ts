// A host's controller-side directory: the files its namespace sees as /etc/sophos,
// /etc/sophos-certs, /var/lib/sls-sim (state), /var/lib/sls-play and the layer over /usr/local/bin.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasUnit, unitEnvironment, versionOutput } from './sim/answers.mjs';
import type { HostPaths, SimHost } from './sim/host.d.mts';
import type { HostProfile } from './types.ts';
import { type FixedAnswer, UNIT_ENVIRONMENT_ANSWER, writeWrapper } from './wrappers.ts';

export const DEFAULT_VERSION = '5.10.0.3';
export const CONFIG_NAME = 'runtimedetections.yaml';

export function hostPaths(root: string): HostPaths {
  const sophos = join(root, 'etc', 'sophos');
  const sophosCerts = join(root, 'etc', 'sophos-certs');
  return {
    state: join(root, 'state'),
    sophos,
    sophosCerts,
    // the host's absolute paths, seen from the controller
    resolve: (p: string) =>
      p.startsWith('/etc/sophos-certs/')
        ? join(sophosCerts, p.slice(18))
        : p.startsWith('/etc/sophos/')
          ? join(sophos, p.slice(12))
          : p,
  };
}

export function simHost(profile: HostProfile, inbox: string): SimHost {
  return {
    name: profile.name,
    version: profile.version ?? DEFAULT_VERSION,
    versionFlag: profile.versionFlag ?? true,
    installed: profile.installed ?? true,
    deployment: profile.deployment ?? 'package',
    restartBroken: profile.restartBroken ?? false,
    slowRestartMs: profile.slowRestartMs ?? 0,
    testAlertHangs: profile.testAlertHangs ?? false,
    inbox,
    ...(profile.demo ? { demo: profile.demo } : {}),
    ...(profile.unitEnvironment ? { unitEnvironment: profile.unitEnvironment } : {}),
  };
}

function writeCertFile(dir: string, name: string): void {
  const kind = name.endsWith('.crl') ? 'X509 CRL' : 'CERTIFICATE';
  const body = Buffer.from(`sls-play simulated ${name}`).toString('base64');
  writeFileSync(join(dir, name), `-----BEGIN ${kind}-----\n${body}\n-----END ${kind}-----\n`);
}

function writePairs(dir: string, pairs: number[]): void {
  for (const n of pairs) {
    writeCertFile(dir, `sophosca${n}.crt`);
    writeCertFile(dir, `sophosca${n}.crl`);
  }
}

/** Fills /etc/sophos: certificates and the initial config (also used to populate a tmpfs). */
export function writeSophosDir(dir: string, profile: HostProfile, host: SimHost): void {
  writePairs(dir, profile.certPairs ?? (hasUnit(host) ? [1, 2] : []));
  for (const name of profile.extraCertFiles ?? []) writeCertFile(dir, name);
  if (typeof profile.config === 'string') {
    const file = join(dir, CONFIG_NAME);
    writeFileSync(file, profile.config);
    chmodSync(file, profile.configMode ?? 0o600);
  }
}

/** Creates everything but /etc/sophos's content (a tmpfs may be mounted there first). */
export function makeHostDirs(root: string, profile: HostProfile, host: SimHost): HostPaths {
  const paths = hostPaths(root);
  for (const d of [
    paths.sophos,
    paths.sophosCerts,
    paths.state,
    join(root, 'bin'),
    join(root, 'sshd'),
    join(root, 'home'),
    join(root, 'sls-play'),
    join(paths.state, 'container-bin'),
  ]) {
    mkdirSync(d, { recursive: true });
  }
  chmodSync(join(root, 'home'), 0o700);
  const containerised = host.installed && host.deployment === 'container';
  writePairs(paths.sophosCerts, profile.containerCertPairs ?? (containerised ? [1, 2] : []));
  writeFileSync(join(paths.state, 'host.json'), JSON.stringify(host, null, 2));
  if (profile.packages) {
    const packages = { installed: profile.packages.installed ?? {}, available: profile.packages.available ?? {} };
    writeFileSync(join(paths.state, 'packages.json'), JSON.stringify(packages, null, 2));
  }
  // answers fixed by host.json (sim/answers.mjs), so the wrappers give them without starting Node
  mkdirSync(join(paths.state, 'answers'), { recursive: true });
  writeFileSync(join(paths.state, 'answers', UNIT_ENVIRONMENT_ANSWER), `Environment=${unitEnvironment(host)}\n`);
  const version = versionOutput(host);
  const sensorAnswers: FixedAnswer[] = version === null ? [] : [{ argv: ['-version'], stdout: version }];
  writeWrapper(join(root, 'bin'), 'docker', 'docker.mjs');
  if (hasUnit(host)) writeWrapper(join(root, 'bin'), 'sophoslinuxsensor', 'sensor.mjs', sensorAnswers);
  if (containerised) writeWrapper(join(paths.state, 'container-bin'), 'sophoslinuxsensor', 'sensor.mjs', sensorAnswers);
  return paths;
}
