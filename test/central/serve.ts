// Runs the fake Sophos Central for manual runs against a fleet started with test/fleet/start.ts:
//   node --import tsx test/central/serve.ts --inbox <fleet dir>/central/inbox.jsonl [--delay S]
// It prints the environment to export (NODE_EXTRA_CA_CERTS, the two URLs, a test credential).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FakeCentral, testAlertDetection } from './fake.ts';

const { values } = parseArgs({ options: { inbox: { type: 'string' }, delay: { type: 'string', default: '5' } } });
const delayMs = Number(values.delay) * 1000;
const deliveries = () =>
  values.inbox && existsSync(values.inbox)
    ? readFileSync(values.inbox, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { host: string; at: string })
    : [];
const fake = await new FakeCentral({
  clientId: 'manual-client-id',
  clientSecret: 'manual-client-secret',
  detections: () =>
    deliveries()
      .filter((d) => Date.now() >= Date.parse(d.at) + delayMs)
      .map((d) => testAlertDetection(d.host, d.at)),
}).start();
for (const [k, v] of Object.entries(fake.env())) process.stdout.write(`export ${k}=${v}\n`);
process.stderr.write(
  `fake Sophos Central at ${fake.url}; test alerts appear ${values.delay} s after delivery; Ctrl-C stops it\n`,
);
const stop = async () => {
  await fake.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
