// Starts a simulated fleet for manual runs and keeps it up until Ctrl-C:
//   node --import tsx test/fleet/start.ts [--count N] [--dir D] [--subnet N]
// Without --count it starts the demo fleet; with it, N healthy hosts.
import { parseArgs } from 'node:util';
import { startFleet } from './fleet.ts';
import { demoProfiles, healthyProfiles } from './profiles.ts';

const { values } = parseArgs({
  options: { count: { type: 'string' }, dir: { type: 'string' }, subnet: { type: 'string' } },
});
const profiles = values.count === undefined ? demoProfiles() : healthyProfiles(Number(values.count));
const began = Date.now();
const fleet = await startFleet(profiles, {
  dir: values.dir,
  subnet: values.subnet === undefined ? undefined : Number(values.subnet),
});
const first = fleet.hosts.find((h) => !h.profile.down);
process.stderr.write(`${fleet.hosts.length} hosts up in ${Date.now() - began} ms\n`);
if (first) {
  process.stderr.write(
    `try: ssh -i ${fleet.keyPath} -o UserKnownHostsFile=${fleet.knownHostsPath} -p ${first.port} root@${first.address} sophoslinuxsensor -version\n`,
  );
}
process.stderr.write('Ctrl-C stops the fleet\n');
process.stdout.write(`${fleet.inventoryPath}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await fleet.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// the hosts are unref'd so a test cannot be kept alive by them: here the fleet is the point
setInterval(() => undefined, 1 << 30);
