import { shellQuote } from '../remote/quote.ts';
import { planFailed, resolve, task } from '../tasks/task.ts';
import type { Param, Plan, Task, TaskOptions } from '../tasks/types.ts';

/** Parameters of `waitFor`: give at least one of `journal`, `path` and `port`. */
export interface WaitForParams extends TaskOptions {
  /** A line containing `text` (a fixed string, not a pattern) logged by `unit` since `since`. */
  journal?: Param<{ unit: string; text: string; since?: string }>;
  /** A path that must exist (or, with state absent, be gone). */
  path?: Param<string>;
  /** A TCP port something listens on (or, with state absent, nothing does). */
  port?: Param<number>;
  /** The address the port is checked on (default 127.0.0.1; a wildcard listener counts too). */
  host?: Param<string>;
  /** Default `present`: the path exists, the port listens. `absent`: the path is gone, the port closed. */
  state?: 'present' | 'absent';
  /** Seconds to wait on the host before the task fails. */
  timeout: Param<number>;
}

/** 127.0.0.1 → 0100007F, as /proc/net/tcp writes a (little-endian) IPv4 address. */
export function procNetAddress(address: string): string | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address)?.slice(1).map(Number);
  if (!parts || parts.some((p) => p > 255)) return undefined;
  return parts
    .reverse()
    .map((p) => p.toString(16).toUpperCase().padStart(2, '0'))
    .join('');
}

interface WaitSpec {
  journal?: { unit: string; text: string; since?: string };
  path?: string;
  port?: number;
  host: string;
  state: 'present' | 'absent';
  timeout: number;
  /** Seconds since the run started, for the default journal window. */
  age: number;
}

/**
 * The one remote command: poll every condition every 0.25 s until all hold or `timeout` seconds
 * passed (on the host's clock), then print one tagged line per condition:
 *   journal:seen:<line> | journal:missing     path:yes | path:no     port:yes | port:no
 * and exit 0 when all held, 3 when not.
 */
export function waitScript(spec: WaitSpec): string {
  const lines = [`end=$(( $(date +%s) + ${Math.ceil(spec.timeout)} ))`];
  const checks: string[] = [];
  const report: string[] = [];
  const want = spec.state === 'present';
  if (spec.journal) {
    const since =
      spec.journal.since !== undefined
        ? shellQuote(spec.journal.since)
        : `"@$(( $(date +%s) - ${Math.ceil(spec.age) + 1} ))"`;
    lines.push(
      `since=${since}`,
      `unit=${shellQuote(spec.journal.unit)}`,
      `text=${shellQuote(spec.journal.text)}`,
      'j=',
    );
    checks.push(
      '[ -n "$j" ] || j=$(journalctl -u "$unit" --since "$since" -o cat --no-pager 2>/dev/null | grep -F -e "$text" | tail -n 1)',
      '[ -n "$j" ] || all=0',
    );
    report.push(`if [ -n "$j" ]; then printf 'journal:seen:%s\\n' "$j"; else echo journal:missing; fi`);
  }
  if (spec.path !== undefined) {
    lines.push(`path=${shellQuote(spec.path)}`, 'p=no');
    checks.push(`if [ -e "$path" ]; then p=yes; else p=no; fi`, `[ $p = ${want ? 'yes' : 'no'} ] || all=0`);
    report.push('echo "path:$p"');
  }
  if (spec.port !== undefined) {
    const hex = procNetAddress(spec.host);
    const port = spec.port.toString(16).toUpperCase().padStart(4, '0');
    // Any listener on the port counts when the address is not an IPv4 literal; else that address,
    // a wildcard one, or (for 127.0.0.1) IPv6's ::1.
    const addresses =
      hex === undefined
        ? ''
        : [
            hex,
            '00000000',
            '00000000000000000000000000000000',
            ...(spec.host === '127.0.0.1' ? ['00000000000000000000000001000000'] : []),
          ].join(' ');
    lines.push(
      `host=${shellQuote(spec.host)}`,
      `if command -v nc >/dev/null 2>&1; then probe() { nc -z -w 1 "$host" ${spec.port} >/dev/null 2>&1; }; else`,
      `probe() { awk -v port=${port} -v addrs=${shellQuote(addresses)} 'BEGIN { n = split(addrs, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 } FNR > 1 && $4 == "0A" { split($2, x, ":"); if (x[2] == port && (n == 0 || (x[1] in ok))) f = 1 } END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null; }; fi`,
      'o=no',
    );
    checks.push('if probe; then o=yes; else o=no; fi', `[ $o = ${want ? 'yes' : 'no'} ] || all=0`);
    report.push('echo "port:$o"');
  }
  lines.push(
    `while :; do all=1; ${checks.join('; ')}; [ $all = 1 ] && break; [ $(date +%s) -ge $end ] && break; sleep 0.25; done`,
    ...report,
    '[ $all = 1 ] || exit 3',
  );
  return lines.join('\n');
}

/** The answer of waitScript in words: what was seen, and what was not. */
export function waitOutcome(
  spec: WaitSpec,
  stdout: string,
  code: number,
): { ok: boolean; seen: string[]; missing: string[] } {
  const seen: string[] = [];
  const missing: string[] = [];
  const want = spec.state === 'present';
  if (spec.journal) {
    const line = /^journal:seen:(.*)$/m.exec(stdout)?.[1];
    if (line !== undefined) seen.push(`"${spec.journal.text}" in the journal of ${spec.journal.unit} ("${line}")`);
    else
      missing.push(
        `"${spec.journal.text}" in the journal of ${spec.journal.unit} (journalctl -u ${spec.journal.unit}${spec.journal.since ? ` --since '${spec.journal.since}'` : ''})`,
      );
  }
  if (spec.path !== undefined) {
    const there = /^path:yes$/m.test(stdout);
    (there === want ? seen : missing).push(want ? `${spec.path} exists` : `${spec.path} is gone`);
  }
  if (spec.port !== undefined) {
    const open = /^port:yes$/m.test(stdout);
    (open === want ? seen : missing).push(
      want ? `port ${spec.port} listening on ${spec.host}` : `port ${spec.port} closed on ${spec.host}`,
    );
  }
  return { ok: code === 0 && missing.length === 0, seen, missing };
}

/**
 * Waits for the effect of a change: a journal line, a path, a listening port — one command on
 * the host that polls until all hold or `timeout` seconds pass, then ok with what was seen, or
 * failed naming what was not seen. Read-only, so it runs in `--check` too, as Ansible's wait_for
 * does: there it waits for what the host already shows (a change check mode did not make is not
 * there to see, so such a wait fails in check mode; give it `when: (h) => !h.check` if it must
 * only prove a change made by this run).
 *
 * The journal window starts, unless `since` (any `journalctl --since` value: `-5min`, `@1767225600`,
 * `2026-01-01 10:00`) says otherwise, when the task was made: when the playbook was loaded, or
 * when a playbook's `tasks(host)` listed the host's tasks (before the first of them ran). Lines
 * from earlier runs do not count as proof. The window is measured on the host's own clock (the
 * controller only says how many seconds ago), with a second or two of slack.
 */
export function waitFor(params: WaitForParams): Task {
  const describe = () => {
    const parts: string[] = [];
    if (params.journal && typeof params.journal !== 'function')
      parts.push(`"${params.journal.text}" in ${params.journal.unit}`);
    if (typeof params.path === 'string') parts.push(params.path);
    if (typeof params.port === 'number') parts.push(`port ${params.port}`);
    return parts.join(', ');
  };
  const created = Date.now();
  return task(params, {
    module: 'waitFor',
    defaultName: `waitFor ${describe()}`.trim(),
    async plan(ctx): Promise<Plan> {
      const spec: WaitSpec = {
        journal: resolve(params.journal, ctx),
        path: resolve(params.path, ctx),
        port: resolve(params.port, ctx),
        host: resolve(params.host, ctx) ?? '127.0.0.1',
        state: params.state ?? 'present',
        timeout: resolve(params.timeout, ctx),
        age: (Date.now() - created) / 1000,
      };
      if (!spec.journal && spec.path === undefined && spec.port === undefined)
        return planFailed('waitFor: nothing to wait for: give journal, path or port');
      if (!Number.isFinite(spec.timeout) || spec.timeout < 0)
        return planFailed(`waitFor: timeout must be a number of seconds, not ${String(spec.timeout)}`);
      if (spec.port !== undefined && !(Number.isInteger(spec.port) && spec.port >= 1 && spec.port <= 65535))
        return planFailed(`waitFor: port must be a whole number from 1 to 65535, not ${String(spec.port)}`);
      if (spec.port !== undefined && !(Number.isInteger(spec.port) && spec.port > 0 && spec.port < 65536))
        return planFailed(`waitFor: port ${String(spec.port)} is not a TCP port (1-65535)`);
      if (spec.journal && (!spec.journal.unit || !spec.journal.text))
        return planFailed('waitFor: journal needs unit and text');
      if (spec.path !== undefined && !spec.path.startsWith('/'))
        return planFailed(`waitFor: path "${spec.path}" is not absolute: give the full path`);
      // The host bounds the wait; the transport gets a little more so the answer can arrive.
      const result = await ctx.read(waitScript(spec), { timeoutMs: (Math.ceil(spec.timeout) + 15) * 1000 });
      const outcome = waitOutcome(spec, result.stdout, result.code);
      if (outcome.ok) return { status: 'ok', message: `seen: ${outcome.seen.join('; ')}` };
      if (result.code !== 3 && result.code !== 0) {
        return {
          status: 'failed',
          message: `waitFor could not check the host (exit ${result.code}: ${result.stderr.trim().split('\n').pop() || 'no reason given'})`,
        };
      }
      const seen = outcome.seen.length ? `; seen: ${outcome.seen.join('; ')}` : '';
      return {
        status: 'failed',
        message: `not seen within ${spec.timeout} s: ${outcome.missing.join('; ')}${seen}: check that the change took effect on the host, or raise timeout`,
      };
    },
  });
}
