/**
 * Runs the real Ansible (Debian's ansible-core) as the reference the inventory code is checked
 * against. Starting Ansible costs about a second, so many `ansible-inventory` invocations run
 * in one Python process through the same InventoryCLI class the command runs; one test checks
 * that this gives what the command itself prints.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// An empty config keeps a developer's ansible.cfg from changing what Ansible prints.
const configDir = mkdtempSync(join(tmpdir(), 'sls-play-ansible-'));
writeFileSync(join(configDir, 'ansible.cfg'), '');
const env = { ...process.env, ANSIBLE_CONFIG: join(configDir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' };

/** The Python that runs ansible-inventory (its shebang), or undefined when it is not installed. */
async function ansiblePython(): Promise<string | undefined> {
  try {
    const { stdout } = await run('sh', ['-c', 'command -v ansible-inventory']);
    const first = readFileSync(stdout.trim(), 'utf8').split('\n')[0];
    const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
    if (!m) return undefined;
    return m[1].endsWith('/env') ? m[2] : m[1];
  } catch {
    return undefined;
  }
}

export const python = await ansiblePython();

/** Runs a command of the Ansible install (e.g. `ansible-inventory`), returning its stdout. */
export async function ansibleCommand(command: string, args: string[]): Promise<string> {
  try {
    return (await run(command, args, { env, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? '';
  }
}

const INVENTORY_CLI_PY = `
import contextlib, io, json, sys
from ansible.cli.inventory import InventoryCLI
from ansible.utils.context_objects import GlobalCLIArgs
results = []
for argv in json.loads(sys.argv[1]):
    # The command line is a set-once singleton; clear it so each run parses its own.
    GlobalCLIArgs._Singleton__instance = None
    out = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out):
        try:
            InventoryCLI(['ansible-inventory'] + argv).run()
        except SystemExit as e:
            code = e.code
        except Exception as e:
            code = 1
            print('ERROR! %s' % e, file=sys.stderr)
    results.append({'code': code, 'stdout': out.getvalue()})
print(json.dumps(results))
`;

/** The stdout of `ansible-inventory <argv>` for each argv, from one Python process. */
export async function ansibleInventoryBatch(argvs: string[][]): Promise<string[]> {
  if (!python) throw new Error('ansible-inventory is not installed');
  const { stdout } = await run(python, ['-c', INVENTORY_CLI_PY, JSON.stringify(argvs)], { env, maxBuffer: 64 << 20 });
  const results = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as { code: number; stdout: string }[];
  return results.map((r) => r.stdout);
}

// The InventoryManager.subset() + get_hosts('all') that `ansible all --limit P --list-hosts` runs.
const PATTERNS_PY = `
import json, sys
from ansible.parsing.dataloader import DataLoader
from ansible.inventory.manager import InventoryManager
inv = InventoryManager(loader=DataLoader(), sources=[sys.argv[1]])
out = {}
for p in json.loads(sys.argv[2]):
    inv.subset(p)
    inv.clear_pattern_cache()
    try:
        out[p] = [h.name for h in inv.get_hosts('all')]
    except Exception as e:
        out[p] = {'error': str(e)}
print(json.dumps(out))
`;

/** For each pattern, the hosts `ansible all -i <inventory> --limit <pattern>` would run on. */
export async function ansiblePatterns(
  inventory: string,
  patterns: string[],
): Promise<Record<string, string[] | { error: string }>> {
  if (!python) throw new Error('ansible is not installed');
  const { stdout } = await run(python, ['-c', PATTERNS_PY, inventory, JSON.stringify(patterns)], {
    env,
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1)) as Record<string, string[] | { error: string }>;
}

/** Parses the host list `ansible … --list-hosts` prints. */
export function parseListHosts(out: string): string[] {
  return out
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean);
}
