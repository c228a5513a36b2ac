/**
 * `group_vars/` and `host_vars/` beside an inventory source, found as Ansible's
 * host_group_vars plugin finds them: `<name>`, `<name>.yml`, `<name>.yaml` or `<name>.json`
 * (the first that exists), and when that is a directory, every file in it with one of those
 * extensions (or none), recursively, in sorted order, merged.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InventoryError, type Vars } from './types.ts';
import { loadVarsText } from './yaml-load.ts';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

async function filesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  const names = (await readdir(dir)).sort();
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('~')) continue; // hidden files and editor backups
    const ext = extname(name);
    const full = join(dir, name);
    const k = await kindOf(full);
    if (k === 'dir' && !ext) found.push(...(await filesIn(full)));
    else if (k === 'file' && EXTENSIONS.includes(ext)) found.push(full);
  }
  return found;
}

/** The files that hold the variables of `name` under `dir` (group_vars or host_vars). */
export async function findVarsFiles(dir: string, name: string): Promise<string[]> {
  // A name like /path/to/chroot is not looked up, as in Ansible.
  if (name.startsWith('/')) return [];
  for (const ext of EXTENSIONS) {
    const path = join(dir, name + ext);
    const k = await kindOf(path);
    if (k === 'dir') return filesIn(path);
    if (k === 'file') return [path];
  }
  return [];
}

/** The merged variables of `name` from group_vars/ or host_vars/ under `base`. */
export async function loadVarsFor(base: string, subdir: 'group_vars' | 'host_vars', name: string): Promise<Vars> {
  const dir = join(base, subdir);
  if ((await kindOf(dir)) !== 'dir') return {};
  let merged: Vars = {};
  for (const file of await findVarsFiles(dir, name)) {
    const data = loadVarsText(await readFile(file, 'utf8'), file);
    if (data === null || data === undefined || data === '' ) continue; // Ansible skips empty files
    if (typeof data !== 'object' || Array.isArray(data)) {
      throw new InventoryError(`a vars file must be a mapping of variable names to values, not ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}`, file, 1);
    }
    merged = { ...merged, ...(data as Vars) };
  }
  return merged;
}
