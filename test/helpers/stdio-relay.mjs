#!/usr/bin/env node
// A stdio <-> TCP relay, as cloud tunnels (SSM, IAP, cloudflared) are to ssh's ProxyCommand:
//   node stdio-relay.mjs HOST PORT LOGFILE SOURCE_ADDRESS [linger]
// It connects from SOURCE_ADDRESS (so the server sees the relay, not its caller), logs one line
// per connection to LOGFILE, and ends when either side does; with `linger` it stays after both
// have (as some tunnel clients do) until a signal ends it.
import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';

const [host, port, log, localAddress, mode] = process.argv.slice(2);
appendFileSync(
  log,
  `${JSON.stringify({ host, port: Number(port), pid: process.pid, sawApiKey: 'SLS_API_KEY' in process.env })}\n`,
);
const socket = connect({ host, port: Number(port), localAddress });
socket.on('error', (error) => {
  process.stderr.write(`relay: ${host}:${port}: ${error.message}\n`);
  process.exit(1);
});
process.stdin.pipe(socket);
socket.pipe(process.stdout);
if (mode === 'linger') setInterval(() => undefined, 60_000);
else socket.on('close', () => process.exit(0));
process.stdin.on('end', () => socket.end());
