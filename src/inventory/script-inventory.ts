/**
 * Dynamic inventories, as Ansible's `script` inventory plugin reads them: an executable run with
 * `--list` prints JSON (`{"web": {"hosts": [...], "vars": {...}, "children": [...]}, "_meta":
 * {"hostvars": {...}}}`); without `_meta.hostvars`, each host's variables come from `--host
 * <name>`. The same JSON saved to a file (what `ansible-inventory --list` prints, so any
 * inventory plugin's output can be fed in) is read the same way.
 */
import { execFile } from 'node:child_process';
import { resolve as absolute } from 'node:path';
import { ModelError, type InventoryModel } from './model.ts';
import { InventoryError, type Vars } from './types.ts';

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether parsed JSON/YAML is the script format rather than the YAML inventory format. */
export function isScriptFormat(data: unknown): data is Record<string, unknown> {
  if (!isMapping(data)) return false;
  if ('_meta' in data) return true;
  return Object.values(data).some(
    (v) => Array.isArray(v) || (isMapping(v) && (Array.isArray(v.hosts) || Array.isArray(v.children))),
  );
}

/** Adds the groups and hosts of script-format `data`; `hostVars` is asked when `_meta` has none. */
export async function parseScriptInventory(
  model: InventoryModel,
  data: Record<string, unknown>,
  file: string,
  hostVars?: (host: string) => Promise<Vars>,
): Promise<void> {
  const fail = (message: string): never => {
    throw new InventoryError(message, file);
  };
  const hosts = new Set<string>();
  let meta: Record<string, unknown> | undefined;
  try {
    for (const [name, raw] of Object.entries(data)) {
      if (name === '_meta') {
        if (isMapping(raw) && isMapping(raw.hostvars)) meta = raw.hostvars;
        continue;
      }
      model.addGroup(name);
      let body: Record<string, unknown> = isMapping(raw) ? raw : { hosts: raw };
      // a mapping without hosts, vars or children is a host of the group's name with those vars
      if (isMapping(raw) && !['hosts', 'vars', 'children'].some((k) => k in raw)) body = { hosts: [name], vars: raw };
      if ('hosts' in body) {
        if (!Array.isArray(body.hosts)) fail(`group '${name}': "hosts" must be a list of host names`);
        for (const host of body.hosts as unknown[]) {
          const hostName = String(host);
          hosts.add(hostName);
          model.addHost(hostName, name);
        }
      }
      if ('vars' in body) {
        if (!isMapping(body.vars)) fail(`group '${name}': "vars" must be a mapping`);
        for (const [k, v] of Object.entries(body.vars as Vars)) model.setGroupVar(name, k, v);
      }
      if (Array.isArray(body.children)) {
        for (const child of body.children as unknown[]) {
          model.addGroup(String(child));
          model.addChild(name, String(child));
        }
      }
    }
  } catch (error) {
    if (error instanceof ModelError) fail(error.message);
    throw error;
  }
  for (const host of hosts) {
    const vars = meta !== undefined ? (meta[host] ?? {}) : hostVars ? await hostVars(host) : {};
    if (!isMapping(vars)) fail(`_meta.hostvars of ${host} must be a mapping`);
    for (const [k, v] of Object.entries(vars as Vars)) model.setHostVar(host, k, v);
  }
}

function runScript(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(absolute(file), args, { maxBuffer: 256 << 20, timeout: 300_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      const first = stderr.trim().split('\n')[0];
      const why = typeof code === 'string' ? code : `exit status ${code ?? (error as { signal?: string }).signal}`;
      reject(
        new InventoryError(
          `inventory script \`${[file, ...args].join(' ')}\` failed (${why}${first ? `: ${first}` : ''}); run it by hand to see why`,
          file,
        ),
      );
    });
  });
}

function parseJson(text: string, file: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InventoryError(
      `inventory script's ${what} output is not JSON (${(error as Error).message}); it must print a JSON object`,
      file,
    );
  }
}

/** Runs an executable inventory with `--list` (and `--host` per host when `_meta` is absent). */
export async function parseInventoryScript(model: InventoryModel, file: string): Promise<void> {
  const data = parseJson(await runScript(file, ['--list']), file, '--list');
  if (!isMapping(data)) throw new InventoryError('inventory script --list must print a JSON object of groups', file);
  await parseScriptInventory(model, data, file, async (host) => {
    const out = await runScript(file, ['--host', host]);
    if (!out.trim()) return {};
    const vars = parseJson(out, file, `--host ${host}`);
    if (!isMapping(vars))
      throw new InventoryError(`inventory script --host ${host} must print a JSON object of variables`, file);
    return vars;
  });
}
