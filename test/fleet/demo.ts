// `npm run demo`: starts the demo fleet (real sshd hosts on loopback), runs the SLS deploy on it
// with diffs, runs it again to show nothing changes, shows `status`, then stops the fleet.
import { spawnSync } from 'node:child_process';
import { CLI, REPO } from '../helpers/cli.ts';
import { startFleet } from './fleet.ts';
import { demoProfiles } from './profiles.ts';

const fleet = await startFleet(demoProfiles(), { subnet: 90 });
const env = { ...process.env, SLS_API_KEY: process.env.SLS_API_KEY ?? 'demo-tenant-token-0123456789' };
const base = [fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-e', 'sls_region=eu-west-1'];
const run = (title: string, args: string[]) => {
  process.stdout.write(
    `\n\x1b[1m$ sls-play ${args.join(' ').replace(fleet.dir, '<fleet>').replaceAll(fleet.dir, '<fleet>')}\x1b[0m   # ${title}\n`,
  );
  return spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, env, stdio: 'inherit' }).status;
};
try {
  run('what would change', ['deploy', ...base, '--check', '--diff']);
  run('converge (legacy-01 is too old and fails)', ['deploy', ...base, '--diff']);
  run('second run: nothing to change, nothing restarted', ['deploy', ...base]);
  run('read-only audit', ['status', ...base]);
  const inbox = fleet.centralInbox();
  process.stdout.write(
    `\nSimulated Sophos Central received ${inbox.length} test alert(s): ${inbox.map((d) => d.host).join(', ')}\n`,
  );
} finally {
  await fleet.stop();
}
