/**
 * One SSH login carried by a ProxyCommand. A command that fails before SSH is up makes the host
 * unreachable in the command's own words (its stderr); the command ends with the connection.
 */
import type { Client } from './ssh2.ts';
import { openClient, type HopOptions } from './hop.ts';
import { ProxyProcess } from './proxy_command.ts';
import { UnreachableError } from './types.ts';

/** How long a failed login waits for the command's exit status and last words. */
const EXIT_GRACE_MS = 1_000;

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ');
}

export async function openThroughProxyCommand(hop: HopOptions, command: string): Promise<Client> {
  const proxy = new ProxyProcess(command);
  let client: Client;
  try {
    client = await openClient(hop, proxy.socket);
  } catch (error) {
    proxy.close();
    throw await explain(error, proxy);
  }
  client.once('close', () => proxy.close());
  return client;
}

async function explain(error: unknown, proxy: ProxyProcess): Promise<unknown> {
  const exit = await proxy.exitedOnItsOwn(EXIT_GRACE_MS);
  const said = proxy.stderr === '' ? '' : `: ${oneLine(proxy.stderr)}`;
  if (exit !== undefined) {
    return new UnreachableError('other', `ProxyCommand (${proxy.command}) ${exit.status} before SSH started${said}`);
  }
  if (error instanceof UnreachableError && said !== '') {
    return new UnreachableError(error.reason, `${error.message}; ProxyCommand (${proxy.command}) said${said}`);
  }
  return error;
}
