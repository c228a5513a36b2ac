/**
 * The CLI's main() run in the test's own process, its output captured: for commands that touch
 * no host (--list-hosts, inventory), without the second a spawned CLI costs.
 */
import { main } from '../../src/cli/main.ts';

export async function cliInProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const write = { stdout: process.stdout.write, stderr: process.stderr.write };
  // only strings: the test runner reports through the same stdout, in binary frames
  const capture = (stream: 'stdout' | 'stderr') =>
    ((s: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof s !== 'string')
        return (write[stream] as (...a: unknown[]) => boolean).call(process[stream], s, ...rest);
      out[stream] += s;
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    return { code: await main(args), ...out };
  } finally {
    process.stdout.write = write.stdout;
    process.stderr.write = write.stderr;
  }
}
