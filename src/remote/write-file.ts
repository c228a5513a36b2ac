import { shellQuote } from './quote.ts';
import type { ExecOptions, ExecResult } from '../transport/types.ts';

/** Whatever runs a command on the host (an apply context, a raw connection in tests). */
export interface Executor {
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
}

/** How an atomic write on a host went. */
export interface WriteResult {
  /** True when the new content is in place. */
  ok: boolean;
  /** Path of the backup of the previous file, when there was one. */
  backup?: string;
  /** True when there was no file before: undoing the write means removing it. */
  created?: boolean;
  /** The file actually replaced when `path` is a symlink (the link itself is kept). */
  target?: string;
  /** Why the write failed, in words (never the content). */
  error?: string;
}

function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

/**
 * The remote script of an atomic write. Every value the caller gives is quoted exactly once, into
 * a shell variable at the top; the rest of the script only ever says "$target", "$bak", "$tmp".
 * A symlinked path is followed: the link's target is replaced in its own directory and the link
 * stays, so the two never drift apart.
 */
export function writeScript(
  path: string,
  bytes: number,
  mode: number,
  options: WriteOptions & { backupSuffix?: string },
): string {
  const owner =
    options.owner !== undefined || options.group !== undefined
      ? `chown -- ${shellQuote(`${options.owner ?? ''}${options.group !== undefined ? `:${options.group}` : ''}`)} "$tmp"`
      : 'chown 0:0 "$tmp" 2>/dev/null || true';
  const keep = options.backupSuffix !== undefined;
  return [
    'set -e',
    `path=${shellQuote(path)}`,
    'target=$path',
    'if [ -L "$path" ]; then target=$(readlink -f -- "$path"); echo "target $target"; fi',
    keep ? `bak="$target"${shellQuote(options.backupSuffix!)}` : 'bak=',
    'tmp=$(mktemp -- "$target.sls-play.XXXXXX")',
    'cleanup() { rm -f -- "$tmp"; }',
    'trap cleanup EXIT',
    // A lost connection (controller killed, network gone) closes our stdin early and can kill
    // the shell: leave through the EXIT trap, and install only content that arrived whole.
    `trap 'exit 1' HUP INT TERM PIPE`,
    'cat > "$tmp"',
    `n=$(wc -c < "$tmp"); if [ "$n" -ne ${bytes} ]; then echo "only $n of ${bytes} bytes arrived" >&2; exit 1; fi`,
    `chmod ${mode.toString(8)} "$tmp"`,
    owner,
    // a backup cut short (full disk) must not be left to restore from later;
    // the backup holds the previous key: readable by root only, whatever the old file's mode was
    keep
      ? 'if [ -f "$target" ]; then cleanup() { rm -f -- "$tmp" "$bak"; }; cp -p -- "$target" "$bak"; chmod go-rwx -- "$bak"; echo backup; else echo created; fi'
      : 'if [ -f "$target" ]; then echo replaced; else echo created; fi',
    'sync "$tmp" 2>/dev/null || true',
    'mv -f -- "$tmp" "$target"',
    'trap - EXIT',
  ].join('\n');
}

/**
 * Writes a file atomically: the content goes over stdin (never on a command line) into a temporary
 * file in the same directory, which then replaces the old file with one rename. The old file is
 * first copied to `<path>.<timestamp>.bak`. A failure (full disk, permissions) removes the
 * temporary file and leaves the old file as it was.
 */
export interface WriteOptions {
  /** Keep the previous file as `<file>.<timestamp>.bak` (default true). */
  backup?: boolean;
  /** chown the file to this user (default root) and/or group. */
  owner?: string;
  group?: string;
}

/** A write as one remote command: the script, the content for its stdin, and how to read its answer. */
export interface WriteCommand {
  command: string;
  stdin: string;
  parse(result: ExecResult): WriteResult;
}

export function writeFileCommand(
  path: string,
  content: string,
  mode: number,
  options: WriteOptions = {},
): WriteCommand {
  const backupSuffix = options.backup === false ? undefined : `.${timestamp()}.bak`;
  return {
    command: writeScript(path, Buffer.byteLength(content, 'utf8'), mode, { ...options, backupSuffix }),
    stdin: content,
    parse(result) {
      if (result.code !== 0) {
        return { ok: false, error: (result.stderr.trim() || `exit ${result.code}`).split('\n').slice(-1)[0] };
      }
      const target = /^target (.*)$/m.exec(result.stdout)?.[1];
      const written = target ?? path;
      return {
        ok: true,
        ...(target ? { target } : {}),
        ...(/^backup$/m.test(result.stdout) ? { backup: `${written}${backupSuffix}` } : {}),
        ...(/^created$/m.test(result.stdout) ? { created: true } : {}),
      };
    },
  };
}

export async function writeFileAtomic(
  ctx: Executor,
  path: string,
  content: string,
  mode: number,
  options: WriteOptions = {},
): Promise<WriteResult> {
  const write = writeFileCommand(path, content, mode, options);
  return write.parse(await ctx.exec(write.command, { stdin: write.stdin }));
}

/** What a write did, so that undoing it touches nothing else. */
export type WriteRecord = Pick<WriteResult, 'backup' | 'created' | 'target'> & {
  /** The previous content and mode, when no backup file was kept (written back on undo). */
  previous?: { content: string; mode: number };
};

/**
 * Undoes one write: puts its backup back (copy beside, then rename), or removes the file it
 * created. A write that did neither is not undone: nothing is touched.
 */
export function restoreScript(path: string, record: WriteRecord): string | undefined {
  const file = record.target ?? path;
  if (record.backup) {
    return [
      `file=${shellQuote(file)}`,
      `bak=${shellQuote(record.backup)}`,
      'cp -p -- "$bak" "$file.sls-play-restore" && mv -f -- "$file.sls-play-restore" "$file"',
    ].join('\n');
  }
  if (record.created) return `rm -f -- ${shellQuote(file)}`;
  return undefined;
}

/** Undoes one write (see restoreScript); a previous content kept in memory is written back. */
export async function restoreBackup(ctx: Executor, path: string, record: WriteRecord): Promise<boolean> {
  if (!record.backup && record.previous) {
    return (
      await writeFileAtomic(ctx, record.target ?? path, record.previous.content, record.previous.mode, {
        backup: false,
      })
    ).ok;
  }
  const script = restoreScript(path, record);
  return script === undefined ? true : (await ctx.exec(script)).code === 0;
}
