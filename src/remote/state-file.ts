/**
 * Small state files sls-play keeps on a host (the owed-handlers records), read and written by
 * shell snippets that ride along with other commands. The directory is `sls_play_state_dir`, else
 * /var/lib/sls-play when the commands run as root, else the login user's own state directory.
 */
import type { Fact } from './facts.ts';
import { shellQuote } from './quote.ts';

export const DEFAULT_STATE_DIR = '/var/lib/sls-play';

/** `d=<the state directory>` in shell. */
export function stateDirAssignment(dir: string | undefined): string {
  if (dir) return `d=${shellQuote(dir)}`;
  return `if [ "$(id -u)" = 0 ]; then d=${DEFAULT_STATE_DIR}; else d="\${XDG_STATE_HOME:-$HOME/.local/state}/sls-play"; fi`;
}

/** The directory in words, for messages. */
export const stateDirWords = (dir: string | undefined) =>
  dir ?? `${DEFAULT_STATE_DIR} (or ~/.local/state/sls-play when not root)`;

/** One state file's content, or null when there is none. */
export function stateFileFact(dir: string | undefined, file: string): Fact<string | null> {
  return {
    command: `${stateDirAssignment(dir)}; f="$d"/${shellQuote(file)}; if [ -f "$f" ]; then echo present; cat -- "$f"; else echo absent; fi`,
    parse(output, code, stderr) {
      if (code !== 0) throw new Error(`cannot read ${file}: ${stderr.trim().split('\n').pop() || `exit ${code}`}`);
      if (output.startsWith('present\n')) return output.slice('present\n'.length);
      return null;
    },
  };
}

/** Every state file matching a glob: path → content. */
export function stateFilesFact(dir: string | undefined, glob: string): Fact<Record<string, string>> {
  const mark = '__sls_play_state_file__';
  return {
    command: `${stateDirAssignment(dir)}; for f in "$d"/${glob}; do [ -f "$f" ] || continue; printf '%s %s\\n' ${mark} "$f"; cat -- "$f"; echo; done`,
    parse(output) {
      const files: Record<string, string> = {};
      for (const part of output.split(`${mark} `).slice(1)) {
        const newline = part.indexOf('\n');
        files[part.slice(0, newline)] = part.slice(newline + 1).replace(/\n$/, '');
      }
      return files;
    },
  };
}

/**
 * Replaces (or removes, for null) a state file atomically: a private temporary file in the same
 * directory, then one rename. A subshell, so it can lead another command without touching it.
 */
export function writeStateFileScript(dir: string | undefined, file: string, content: string | null): string {
  const target = `"$d"/${shellQuote(file)}`;
  if (content === null) return `( ${stateDirAssignment(dir)}; rm -f -- ${target} )`;
  // chained with && throughout: `set -e` is ignored where the caller tests the exit status
  return (
    `( umask 077 && ${stateDirAssignment(dir)} && mkdir -p -- "$d" && tmp=$(mktemp -- ${target}.XXXXXX) && ` +
    `{ printf '%s' ${shellQuote(content)} > "$tmp" && mv -f -- "$tmp" ${target} || { rm -f -- "$tmp"; exit 1; }; } )`
  );
}
