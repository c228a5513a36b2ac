import { planFailed, planOk, remoteChange, resolve, task } from '../tasks/task.ts';
import { writeFileCommand } from '../remote/write-file.ts';
import type { Host, Param, Task, TaskOptions } from '../tasks/types.ts';
import { octal, parseMode, pathFact, type FileMode } from './path-fact.ts';

/** What an edit of a file's text decided. */
export type TextEdit = { ok: true; text: string; changes: string[] } | { ok: false; message: string };

/** Parameters of `fileEdit`. */
export interface FileEditParams extends TaskOptions {
  /** The path on the host. */
  path: Param<string>;
  /** The edit: the current text (null: no file yet) to the wanted text, with the changes in words. */
  edit: (text: string | null, host: Host) => TextEdit;
  /** Mode of the written file. Default: the file's own, 0600 for a new file. */
  mode?: Param<FileMode>;
  /** Or the mode as a function of the current one (null: no file yet), e.g. "0600 or stricter". */
  modeFrom?: (current: number | null, host: Host) => number;
  /** Keep the previous file as `<path>.<timestamp>.bak` (default true). */
  backup?: boolean;
  /** Keys whose values are masked in the diff (e.g. `api_key`). */
  secretKeys?: Param<readonly string[]>;
  /** Edit a file that does not exist yet as empty text (default true). */
  create?: boolean;
}

function modeFor(params: FileEditParams, current: number | null, host: Host, path: string): number {
  if (params.modeFrom) return params.modeFrom(current, host);
  const given = parseMode(resolve(params.mode, host), path);
  return given ?? current ?? 0o600;
}

/**
 * An edit of a text file in place: the framework reads it (with the playbook's facts when it can),
 * plans the edit, shows the diff, and writes it atomically with a backup, never in check mode.
 */
export function fileEdit(params: FileEditParams, module = 'fileEdit'): Task {
  const pathOf = (host: Host) => resolve(params.path, host);
  return task(params, {
    module,
    defaultName: `${module} ${typeof params.path === 'string' ? params.path : ''}`.trim(),
    facts: (host) => ({ path: pathFact(pathOf(host)) }),
    async plan(ctx) {
      const path = pathOf(ctx);
      const { path: state } = await ctx.gather({ path: pathFact(path) });
      if (state.type === 'directory' || state.type === 'other')
        return planFailed(`${path} exists and is not a regular file: remove it or choose another path`);
      const before = state.type === 'file' ? state.content : null;
      if (before === null && params.create === false)
        return planFailed(`${path} does not exist: create it first, or set create: true`);
      const edit = params.edit(before, ctx);
      if (!edit.ok) return planFailed(edit.message);
      const current = state.type === 'file' ? state.mode : null;
      const mode = modeFor(params, current, ctx, path);
      const modeChange =
        current !== null && current !== mode ? [`mode ${octal(current).slice(1)} → ${octal(mode).slice(1)}`] : [];
      const textChanged = before === null || edit.text !== before;
      if (!textChanged && modeChange.length === 0)
        return planOk(edit.changes.length ? edit.changes.join(', ') : `${path} is as wanted`);
      const changes = [...(textChanged ? edit.changes : []), ...modeChange];
      const write = writeFileCommand(path, edit.text, mode, { backup: params.backup ?? true });
      // one remote command, so the runner can send it with the handlers it notifies
      return remoteChange(
        `change ${path}: ${changes.join(', ')}`,
        {
          command: write.command,
          stdin: write.stdin,
          changes: true,
          interpret(result) {
            const written = write.parse(result);
            if (!written.ok)
              return {
                failed: `could not write ${path} (${written.error}); the previous file is intact: free space or fix permissions, then rerun`,
              };
            const previous =
              state.type === 'file' && !written.backup
                ? { previous: { content: state.content, mode: state.mode } }
                : {};
            const notes = [
              written.backup ? ` (backup ${written.backup})` : written.created ? ' (new file)' : '',
              written.target ? ` (${path} → ${written.target}, link kept)` : '',
            ];
            return { message: `${changes.join(', ')}${notes.join('')}`, wrote: { path, ...written, ...previous } };
          },
        },
        textChanged ? { diff: { path, before, after: edit.text, secretKeys: resolve(params.secretKeys, ctx) } } : {},
      );
    },
  });
}
