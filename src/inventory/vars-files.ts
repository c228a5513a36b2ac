/**
 * `group_vars/` and `host_vars/` beside an inventory source, found as Ansible's
 * host_group_vars plugin finds them: `<name>`, `<name>.yml`, `<name>.yaml` or `<name>.json`
 * (the first that exists), and when that is a directory, every file in it with one of those
 * extensions (or none), recursively, in sorted order, merged.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { InventoryError, type Vars } from './types.ts';
import { loadVarsText } from './yaml-load.ts';
import { readInventoryText, type LoadOptions } from './read-text.ts';

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

/**
 * One group_vars/ or host_vars/ directory. Its entries are listed once, so a fleet of
 * thousands of hosts costs one readdir rather than four stat calls per host.
 */
export class VarsDir {
  private constructor(
    private readonly dir: string,
    private readonly entries: Set<string>,
    private readonly options: LoadOptions,
  ) {}

  static async open(base: string, subdir: 'group_vars' | 'host_vars', options: LoadOptions = {}): Promise<VarsDir> {
    const dir = join(base, subdir);
    const entries = (await kindOf(dir)) === 'dir' ? new Set(await readdir(dir)) : new Set<string>();
    return new VarsDir(dir, entries, options);
  }

  /** The files holding the variables of `name`: the first of name, name.yml, name.yaml, name.json. */
  async files(name: string): Promise<string[]> {
    // A name like /path/to/chroot is not looked up, as in Ansible.
    if (name.startsWith('/') || name.includes('/')) return [];
    for (const ext of EXTENSIONS) {
      if (!this.entries.has(name + ext)) continue;
      const path = join(this.dir, name + ext);
      const k = await kindOf(path);
      if (k === 'dir') return filesIn(path);
      if (k === 'file') return [path];
    }
    return [];
  }

  /** The merged variables of `name`, later files replacing earlier ones key by key. */
  async varsFor(name: string): Promise<Vars> {
    let merged: Vars = {};
    for (const file of await this.files(name)) {
      const data = loadVarsText(await readInventoryText(file, this.options), file);
      if (data === null || data === undefined || data === '') continue; // Ansible skips empty files
      if (typeof data !== 'object' || Array.isArray(data)) {
        throw new InventoryError(
          `a vars file must be a mapping of variable names to values, not ${Array.isArray(data) ? 'a list' : `a ${typeof data}`}`,
          file,
          1,
        );
      }
      merged = { ...merged, ...(data as Vars) };
    }
    return merged;
  }
}
