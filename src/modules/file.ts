import { readFileSync } from 'node:fs';
import { shellQuote } from '../remote/quote.ts';
import { isSecret, type Secret } from '../secrets/secret.ts';
import { planFailed, planOk, resolve, task } from '../tasks/task.ts';
import type { Applied, ApplyContext, Host, Param, Plan, PlanContext, Task, TaskOptions } from '../tasks/types.ts';
import { lastLine } from './last-line.ts';
import { octal, parseMode, pathFact, type PathState, type FileMode } from './path-fact.ts';

/** Parameters of `file`. */
export interface FileParams extends TaskOptions {
  /** The path on the host. */
  path: Param<string>;
  /** The whole content the file must have (a Secret is written but never shown in a diff). */
  content?: Param<string | Secret>;
  /** A file on the controller whose content the file must have. */
  src?: Param<string>;
  /** Default `present`: a file (created empty if neither content nor src is given). */
  state?: 'present' | 'absent' | 'directory';
  /** Permission bits: a number (`0o644`) or an octal string (`'0644'`). */
  mode?: Param<FileMode>;
  /** Owning user name. */
  owner?: Param<string>;
  /** Owning group name. */
  group?: Param<string>;
  /** Keep the previous file as `<path>.<timestamp>.bak` when replacing it. */
  backup?: boolean;
}

/**
 * A file, a directory, or nothing at a path. Check mode says what would change; the diff is of
 * the text content. Written atomically (temp file beside it, length verified, one rename).
 */
export function file(params: FileParams): Task {
  const pathOf = (host: Parameters<typeof resolve>[1]) => resolve(params.path, host);
  return task(params, {
    module: 'file',
    defaultName: `file ${typeof params.path === 'string' ? params.path : ''}`.trim(),
    facts: (host) => {
      maskSecretContent(params, host);
      return { path: pathFact(pathOf(host)) };
    },
    async plan(ctx) {
      maskSecretContent(params, ctx);
      const path = pathOf(ctx);
      if (!path.startsWith('/'))
        return planFailed(`path "${path}" is not absolute: give the full path, e.g. /etc/motd`);
      const { path: state } = await ctx.gather({ path: pathFact(path) });
      const want = params.state ?? 'present';
      if (want === 'absent') return planAbsent(path, state);
      const mode = parseMode(resolve(params.mode, ctx), path);
      const owner = resolve(params.owner, ctx);
      const group = resolve(params.group, ctx);
      if (want === 'directory') return planDirectory(path, state, mode, owner, group);
      const content = contentOf(params, ctx);
      return planPresent(path, state, { mode, owner, group, backup: params.backup ?? false, content });
    },
  });
}

/**
 * A secret content, once written, comes back in every later read of the file (the facts, shown
 * by -v): it is masked before the host is first read, and again before the plan reads it.
 */
function maskSecretContent(params: FileParams, host: Host): void {
  if (params.content === undefined) return;
  const content = resolve(params.content, host);
  if (isSecret(content)) host.registerSecret?.(content);
}

function contentOf(params: FileParams, ctx: PlanContext): string | Secret | undefined {
  if (params.content !== undefined && params.src !== undefined) throw new Error('file: give content or src, not both');
  if (params.content !== undefined) return resolve(params.content, ctx);
  const src = resolve(params.src, ctx);
  if (src === undefined) return undefined;
  try {
    return readFileSync(src, 'utf8');
  } catch (error) {
    throw new Error(
      `src ${src} cannot be read on the controller (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function planAbsent(path: string, state: PathState): Plan {
  if (state.type === 'absent') return planOk(`${path} is absent`);
  return {
    status: 'change',
    message: `remove ${path}`,
    ...(state.type === 'file' ? { diff: { path, before: state.content, after: '' } } : {}),
    async apply(ctx) {
      const result = await ctx.exec(`rm -rf -- ${shellQuote(path)}`);
      return result.code === 0
        ? { message: `removed ${path}` }
        : { failed: `could not remove ${path}: ${lastLine(result.stderr)}` };
    },
  };
}

function planDirectory(path: string, state: PathState, mode?: number, owner?: string, group?: string): Plan {
  if (state.type === 'file' || state.type === 'other')
    return planFailed(`${path} exists and is not a directory: remove it or choose another path`);
  const changes = attributeChanges(state, mode, owner, group);
  if (state.type === 'directory' && changes.length === 0) return planOk(`${path} is a directory`);
  const create = state.type === 'absent';
  return {
    status: 'change',
    message: create ? `create directory ${path}` : `change ${path}: ${changes.join(', ')}`,
    async apply(ctx) {
      const script = [
        create ? `mkdir -p -- ${shellQuote(path)}` : 'true',
        ...attributeCommands(path, mode, owner, group),
      ].join(' && ');
      const result = await ctx.exec(script);
      return result.code === 0
        ? { message: create ? `created directory ${path}` : changes.join(', ') }
        : { failed: `could not set up ${path}: ${lastLine(result.stderr)}` };
    },
  };
}

interface PresentWant {
  content: string | Secret | undefined;
  mode?: number;
  owner?: string;
  group?: string;
  backup: boolean;
}

function planPresent(path: string, state: PathState, want: PresentWant): Plan {
  if (state.type === 'directory' || state.type === 'other')
    return planFailed(`${path} exists and is not a regular file: remove it or choose another path`);
  const text = want.content === undefined ? undefined : isSecret(want.content) ? want.content.reveal() : want.content;
  const before = state.type === 'file' ? state.content : null;
  const contentChanges = state.type === 'absent' || (text !== undefined && text !== before);
  const attrs = attributeChanges(state, want.mode, want.owner, want.group);
  if (!contentChanges && attrs.length === 0) return planOk(`${path} is as wanted`);
  const mode = want.mode ?? (state.type === 'file' ? state.mode : 0o644);
  const words = [...(state.type === 'absent' ? ['created'] : contentChanges ? ['content'] : []), ...attrs];
  const after = text ?? before ?? '';
  return {
    status: 'change',
    message: `change ${path}: ${words.join(', ')}`,
    ...(contentChanges ? { diff: { path, before, after: isSecret(want.content) ? '(secret content)\n' : after } } : {}),
    async apply(actx: ApplyContext): Promise<Applied> {
      if (!contentChanges) {
        const result = await actx.exec(attributeCommands(path, want.mode, want.owner, want.group).join(' && '));
        return result.code === 0
          ? { message: attrs.join(', ') }
          : { failed: `could not change ${path}: ${lastLine(result.stderr)}` };
      }
      // a rewrite keeps the file's owner and group unless asked otherwise
      const owner = want.owner ?? (state.type === 'file' ? state.owner : undefined);
      const group = want.group ?? (state.type === 'file' ? state.group : undefined);
      const written = await actx.writeFile(path, after, { mode, backup: want.backup, owner, group });
      if (!written.ok)
        return {
          failed: `could not write ${path} (${written.error}); the previous file is intact: free space or fix permissions, then rerun`,
        };
      const previous =
        state.type === 'file' && !written.backup ? { previous: { content: state.content, mode: state.mode } } : {};
      const note = written.backup ? ` (backup ${written.backup})` : written.created ? ' (new file)' : '';
      return { message: `${words.join(', ')}${note}`, wrote: { path, ...written, ...previous } };
    },
  };
}

function attributeChanges(state: PathState, mode?: number, owner?: string, group?: string): string[] {
  if (state.type === 'absent') return [];
  const out: string[] = [];
  if (mode !== undefined && state.mode !== mode) out.push(`mode ${octal(state.mode)} → ${octal(mode)}`);
  if (owner !== undefined && state.owner !== owner) out.push(`owner ${state.owner} → ${owner}`);
  if (group !== undefined && state.group !== group) out.push(`group ${state.group} → ${group}`);
  return out;
}

function attributeCommands(path: string, mode?: number, owner?: string, group?: string): string[] {
  const p = shellQuote(path);
  const out: string[] = [];
  if (mode !== undefined) out.push(`chmod ${octal(mode)} -- ${p}`);
  if (owner !== undefined) out.push(`chown -- ${shellQuote(owner)} ${p}`);
  if (group !== undefined) out.push(`chgrp -- ${shellQuote(group)} ${p}`);
  return out.length ? out : ['true'];
}
