import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { importUserModule } from '../base/ts-import.ts';
import type { Playbook } from './types.ts';

export class PlaybookLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlaybookLoadError';
  }
}

function isPlaybook(value: unknown): value is Playbook {
  const tasks = (value as Playbook | null)?.tasks;
  return Boolean(value && typeof value === 'object' && (Array.isArray(tasks) || typeof tasks === 'function'));
}

/** Imports a TypeScript playbook module; its default export is the playbook. */
export async function loadPlaybook(file: string): Promise<Playbook> {
  const path = resolve(file);
  if (!existsSync(path)) throw new PlaybookLoadError(`playbook ${file} not found; give one with -p <file>`);
  let module: { default?: unknown };
  try {
    module = await importUserModule(path);
  } catch (error) {
    // esbuild's syntax errors already say file:line:column; keep only the first lines of them.
    const message = error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error);
    throw new PlaybookLoadError(`playbook ${file} could not be loaded: ${message}`);
  }
  if (!isPlaybook(module.default)) {
    throw new PlaybookLoadError(
      `playbook ${file} has no playbook as its default export; end it with \`export default playbook({ ... })\``,
    );
  }
  return module.default;
}
