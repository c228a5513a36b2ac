import { shellQuote } from '../playbook/quote.ts';
import type { HostContext } from '../playbook/types.ts';

export interface WriteResult {
  ok: boolean;
  /** Path of the backup of the previous file, when there was one. */
  backup?: string;
  error?: string;
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/**
 * Writes a file atomically: the content goes over stdin (never on a command line) into a temporary
 * file in the same directory, which then replaces the old file with one rename. The old file is
 * first copied to `<path>.<timestamp>.bak`. A failure (full disk, permissions) removes the
 * temporary file and leaves the old file as it was.
 */
export async function writeFileAtomic(ctx: HostContext, path: string, content: string, mode: number): Promise<WriteResult> {
  const p = shellQuote(path);
  const backup = `${path}.${timestamp()}.bak`;
  const b = shellQuote(backup);
  const bytes = Buffer.byteLength(content, 'utf8');
  const script = [
    'set -e',
    `tmp=$(mktemp ${shellQuote(`${path}.sls-play.XXXXXX`)})`,
    `trap 'rm -f "$tmp"' EXIT`,
    // A lost connection (controller killed, network gone) closes our stdin early and can kill
    // the shell: leave through the EXIT trap, and install only content that arrived whole.
    `trap 'exit 1' HUP INT TERM PIPE`,
    `cat > "$tmp"`,
    `n=$(wc -c < "$tmp"); if [ $n -ne ${bytes} ]; then echo "only $n of ${bytes} bytes arrived" >&2; exit 1; fi`,
    `chmod ${mode.toString(8)} "$tmp"`,
    `chown 0:0 "$tmp" 2>/dev/null || true`,
    // a backup cut short (full disk) must not be left to restore from later
    // the backup holds the previous key: readable by root only, whatever the old file's mode was
    `if [ -f ${p} ]; then trap 'rm -f "$tmp" ${b}' EXIT; cp -p ${p} ${b}; chmod go-rwx ${b}; echo backup; fi`,
    'sync "$tmp" 2>/dev/null || true',
    `mv -f "$tmp" ${p}`,
    'trap - EXIT',
  ].join('\n');
  const result = await ctx.exec(script, { stdin: content });
  if (result.code !== 0) {
    return { ok: false, error: (result.stderr.trim() || `exit ${result.code}`).split('\n').slice(-1)[0] };
  }
  return { ok: true, backup: result.stdout.includes('backup') ? backup : undefined };
}

/** Puts a backup back in place (atomically: copy beside, then rename). */
export async function restoreBackup(ctx: HostContext, path: string, backup: string | undefined): Promise<boolean> {
  const p = shellQuote(path);
  const command = backup
    ? `cp -p ${shellQuote(backup)} ${shellQuote(`${path}.sls-play-restore`)} && mv -f ${shellQuote(`${path}.sls-play-restore`)} ${p}`
    : `rm -f ${p}`;
  return (await ctx.exec(command)).code === 0;
}
