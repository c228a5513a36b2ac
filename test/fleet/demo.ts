// `npm run demo`: starts the demo fleet (real sshd hosts on loopback), runs the SLS deploy on it
// with diffs, runs it again to show nothing changes, shows `status`, then stops the fleet.
import { spawn } from 'node:child_process';
import { CLI, REPO } from '../helpers/cli.ts';
import { startFleet } from './fleet.ts';
import { demoProfiles } from './profiles.ts';

const fleet = await startFleet(demoProfiles(), { subnet: 90 });
const env = { ...process.env, SLS_API_KEY: process.env.SLS_API_KEY ?? 'demo-tenant-token-0123456789' };
const base = [fleet.inventoryPath, '--known-hosts', fleet.knownHostsPath, '-e', 'sls_region=eu-west-1'];
/** Runs the CLI as a user would; asynchronously, since this process serves the fleet's MCS endpoint. */
const run = (title: string, args: string[]) => {
  process.stdout.write(`\n\x1b[1m$ sls-play ${args.join(' ').replaceAll(fleet.dir, '<fleet>')}\x1b[0m   # ${title}\n`);
  return new Promise<number | null>((resolve, reject) =>
    spawn(process.execPath, [CLI, ...args], { cwd: REPO, env, stdio: 'inherit' })
      .on('error', reject)
      .on('close', resolve),
  );
};
try {
  await run('what would change', ['deploy', ...base, '--check', '--diff']);
  await run('converge (legacy-01 is too old and fails)', ['deploy', ...base, '--diff']);
  await run('second run: nothing to change, nothing restarted', ['deploy', ...base]);
  await run('read-only audit', ['status', ...base]);
  const inbox = fleet.centralInbox();
  process.stdout.write(
    `\nSimulated Sophos Central received ${inbox.length} test alert(s): ${inbox.map((d) => d.host).join(', ')}\n`,
  );
} finally {
  await fleet.stop();
}
