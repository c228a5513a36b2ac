// Runs one program as a benchmark contender: wall time, the largest single process's peak RSS
// (ru_maxrss of the waited-for tree, via GNU time) and the peak RSS of its whole process tree
// (sampled from /proc, since a contender may be 50 processes at once).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  code: number;
  wallMs: number;
  /** user + system CPU time of the whole tree, ms: less at the mercy of other load than wall time */
  cpuMs: number;
  /** peak RSS of the largest single process, KiB */
  maxRssKb: number;
  /** peak of the summed RSS of every process in the tree, KiB (sampled every 50 ms) */
  treeRssKb: number;
  stdout: string;
  stderr: string;
  /** with `heapProbe`: the Node process's heap (used + external) after a full GC as it exits, KiB */
  heapAfterGcKb?: number;
}

// Loaded into a measured Node process with --import: at exit, after a full GC, it writes what
// is still reachable (heap used + external memory) to the file named in SLS_BENCH_HEAP_OUT.
const HEAP_PROBE = `data:text/javascript,${encodeURIComponent(
  'import { writeFileSync } from "node:fs"; process.on("exit", () => { const out = process.env.SLS_BENCH_HEAP_OUT; if (!out || !globalThis.gc) return; globalThis.gc(); const m = process.memoryUsage(); writeFileSync(out, String(Math.round((m.heapUsed + m.external) / 1024))); });',
)}`;

const PAGE_KB = 4;

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function rssKb(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_KB;
  } catch {
    return 0;
  }
}

function treeRss(root: number): number {
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rssKb(pid);
    stack.push(...children(pid));
  }
  return total;
}

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** `command` is node: also report what its heap still holds after a full GC at exit */
  heapProbe?: boolean;
}

export function measure(command: string, args: string[], options: MeasureOptions = {}): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'sls-bench-'));
  const timeFile = join(dir, 'time');
  const heapFile = join(dir, 'heap');
  const probe = options.heapProbe ? ['--expose-gc', '--import', HEAP_PROBE] : [];
  const env = { ...(options.env ?? process.env), ...(options.heapProbe ? { SLS_BENCH_HEAP_OUT: heapFile } : {}) };
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-q', '-o', timeFile, '-f', '%U %S %M', command, ...probe, ...args], {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let treeRssKb = 0;
    // the tree under GNU time, without time itself
    const sample = () => (treeRssKb = Math.max(treeRssKb, treeRss(child.pid!) - rssKb(child.pid!)));
    const sampler = setInterval(sample, 50);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const wallMs = Number(process.hrtime.bigint() - began) / 1e6;
      const [user, system, maxRss] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      const cpuMs = (user! + system!) * 1000;
      const maxRssKb = maxRss!;
      const heapAfterGcKb =
        options.heapProbe && existsSync(heapFile) ? Number(readFileSync(heapFile, 'utf8')) : undefined;
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code: code ?? -1,
        wallMs,
        cpuMs,
        maxRssKb,
        treeRssKb: Math.max(treeRssKb, maxRssKb),
        stdout,
        stderr,
        ...(heapAfterGcKb !== undefined ? { heapAfterGcKb } : {}),
      });
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Load and CPUs, for the reader to judge the figures by. */
export function machine(): string {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const cpus = cpuinfo.match(/^processor/gm)?.length ?? 0;
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  const memGiB = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024 / 1024;
  return `${cpus} CPUs${model ? ` (${model})` : ''}, ${memGiB.toFixed(0)} GiB, load average ${load}, node ${process.version}`;
}

/** The load average over the last minute. */
export function loadNow(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export const kib = (kb: number) => `${kb.toFixed(0)} KiB`;

/** Prints a benchmark's report and keeps it, with its figures when given, in bench/results/. */
export function publish(files: Record<string, string>, report: string): void {
  process.stdout.write(report);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(new URL(`./results/${name}`, import.meta.url), text);
}
