/**
 * Which files of an inventory path are read, and as what, following Ansible's directory
 * loading: entries in sorted order, recursively, skipping hidden files, group_vars/,
 * host_vars/, vars_plugins/ and the extensions Ansible ignores (.ini, .cfg, .md, .txt, …).
 */
import { accessSync, constants } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { importUserModule } from '../base/ts-import.ts';
import { InventoryError } from './types.ts';
import type { InventoryModel } from './model.ts';
import { parseIni } from './ini.ts';
import { loadYaml } from './yaml-load.ts';
import { parseYamlInventory } from './yaml-inventory.ts';
import { readInventoryText, type LoadOptions } from './read-text.ts';
import { isScriptFormat, parseInventoryScript, parseScriptInventory } from './script-inventory.ts';

// Ansible's INVENTORY_IGNORE_EXTS default (REJECT_EXTS plus .orig, .ini, .cfg, .retry).
const IGNORED_EXTS = [
  '.pyc',
  '.pyo',
  '.swp',
  '.bak',
  '~',
  '.rpm',
  '.md',
  '.txt',
  '.rst',
  '.orig',
  '.ini',
  '.cfg',
  '.retry',
];
const IGNORED_NAMES = /^(?:\..*|host_vars|group_vars|vars_plugins)$/;
const YAML_EXTS = ['.yml', '.yaml', '.json'];
const TS_EXTS = ['.ts', '.mts'];

/** Parses every inventory source under `path` into the model, in Ansible's order. */
export async function parseSource(model: InventoryModel, path: string, options: LoadOptions = {}): Promise<void> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new InventoryError(`inventory not found: ${path}; give an inventory file or a directory holding one`);
  }
  if (!isDir) return parseFile(model, path, options);
  for (const name of (await readdir(path)).sort()) {
    if (IGNORED_NAMES.test(name)) continue;
    // cli.md's contract names hosts.ini as a directory's inventory file; Ansible itself skips it.
    if (name === 'hosts.ini') {
      model.warnings.push(
        `${join(path, name)}: read as the directory's inventory; note that ansible-inventory skips .ini files in a directory`,
      );
    } else if (IGNORED_EXTS.some((ext) => name.endsWith(ext))) {
      if (name.endsWith('.ini')) {
        model.warnings.push(
          `${join(path, name)}: skipped, as Ansible skips .ini files in an inventory directory; rename it (e.g. 'hosts') to use it`,
        );
      }
      continue;
    }
    await parseSource(model, join(path, name), options);
  }
}

async function parseFile(model: InventoryModel, file: string, options: LoadOptions): Promise<void> {
  const ext = extname(file);
  if (TS_EXTS.includes(ext)) return parseModule(model, file);
  if (ext === '.toml') throw new InventoryError('TOML inventories are not supported: convert it to YAML or INI', file);
  const text = await readInventoryText(file, options);
  // Ansible's script plugin comes before yaml and ini: a file with a shebang, or executable, is run.
  // An executable bit on a static file (a checkout's hosts, say) does not make it a script:
  // Ansible's exec of it fails (no shebang, not a program) and the file is read as yaml or ini.
  if (text.startsWith('#!') || (text.startsWith('\x7fELF') && isExecutable(file)))
    return parseInventoryScript(model, file);
  if (YAML_EXTS.includes(ext)) {
    const y = loadYaml(text, file);
    // the JSON that ansible-inventory --list (or an inventory script) prints
    if (isScriptFormat(y.value)) return parseScriptInventory(model, y.value, file);
    return parseYamlInventory(model, y.value, file, y.lineOf, y.numericKey);
  }
  if (!ext) {
    // Ansible tries a file without an extension as YAML first, then as INI.
    const y = tryYaml(text, file);
    if (y && typeof y.value === 'object' && y.value !== null && !Array.isArray(y.value)) {
      if (isScriptFormat(y.value)) return parseScriptInventory(model, y.value, file);
      return parseYamlInventory(model, y.value, file, y.lineOf, y.numericKey);
    }
  }
  parseIni(model, text, file);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function tryYaml(text: string, file: string): ReturnType<typeof loadYaml> | undefined {
  try {
    return loadYaml(text, file);
  } catch {
    return undefined;
  }
}

async function parseModule(model: InventoryModel, file: string): Promise<void> {
  let mod: { default?: unknown };
  try {
    mod = await importUserModule(file);
  } catch (e) {
    throw new InventoryError(`cannot load inventory module: ${(e as Error).message}`, file);
  }
  let data = mod.default;
  if (typeof data === 'function') {
    try {
      data = await (data as () => unknown)();
    } catch (e) {
      throw new InventoryError(`inventory module's default function failed: ${(e as Error).message}`, file);
    }
  }
  if (data === undefined) {
    throw new InventoryError(
      'inventory module has no default export: export default { all: { hosts: {…}, children: {…} } } or a function returning it',
      file,
    );
  }
  parseYamlInventory(model, data, file);
}
