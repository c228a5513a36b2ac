import { shellQuote } from '../remote/quote.ts';
import { planOk, remoteChange, resolve, task } from '../tasks/task.ts';
import type { Host, Param, Plan, Task, TaskOptions } from '../tasks/types.ts';
import type { Fact } from '../remote/facts.ts';

/** What a service should be: running, stopped, or restarted or reloaded once. */
export type ServiceState = 'started' | 'stopped' | 'restarted' | 'reloaded';

/** Parameters of `service`. */
export interface ServiceParams extends TaskOptions {
  /** The systemd unit (`nginx` or `nginx.service`). */
  unit: Param<string>;
  /** `started`, `stopped`, `restarted` or `reloaded`; none: only `enabled` is seen to. */
  state?: ServiceState;
  /** Whether it starts at boot. */
  enabled?: boolean;
  /** Seconds to wait for the unit to be active after a start, restart or reload (default 20; 0: do not wait). */
  waitActive?: Param<number>;
  /**
   * Runs this instead of `systemctl <verb> <unit>` (e.g. `docker restart sls`); its exit status
   * is the answer, then the unit is checked as usual when `waitActive` is above 0.
   */
  command?: Param<string | undefined>;
}

interface UnitState {
  active: string;
  enabled: string;
}

const unitFact = (unit: string): Fact<UnitState> => ({
  command: `systemctl is-active ${shellQuote(unit)} 2>/dev/null; echo; systemctl is-enabled ${shellQuote(unit)} 2>/dev/null; true`,
  parse(output) {
    const [active = '', , enabled = ''] = output.split('\n').map((l) => l.trim());
    return { active: active || 'unknown', enabled: enabled || 'unknown' };
  },
});

const VERB: Record<ServiceState, string> = {
  started: 'start',
  stopped: 'stop',
  restarted: 'restart',
  reloaded: 'reload',
};
const DONE: Record<string, string> = {
  start: 'started',
  stop: 'stopped',
  restart: 'restarted',
  reload: 'reloaded',
  enable: 'enabled',
  disable: 'disabled',
};

/**
 * The remote script of a start/restart/reload: run it, then wait until the unit is active; on
 * failure print why from the journal after a marker.
 */
export function serviceScript(unit: string, action: string, waitS: number, verb = 'command'): string {
  // The unit is quoted once, into a variable; the rest of the script only says "$unit".
  const journal = 'journalctl -u "$unit" -n 15 -o cat --no-pager 2>/dev/null | tail -n 15';
  const lines = [
    `unit=${shellQuote(unit)}`,
    `if ! out=$(${action} 2>&1); then printf '%s\\n' "$out"; echo '--- journal'; ${journal}; exit 1; fi`,
  ];
  if (waitS > 0) {
    lines.push(
      `i=0; while [ $i -lt ${Math.ceil(waitS * 4)} ]; do s=$(systemctl is-active "$unit" 2>/dev/null); [ "$s" = active ] && exit 0; [ "$s" = failed ] && break; sleep 0.25; i=$((i+1)); done`,
      `echo "$unit is $(systemctl is-active "$unit" 2>/dev/null) after the ${verb}"; echo '--- journal'; ${journal}; exit 1`,
    );
  }
  return lines.join('\n');
}

/** The journal's own words on why the unit did not start: the lines after our marker, errors first. */
export function startFailureReason(output: string): string {
  const journal = output.split('--- journal\n')[1] ?? output;
  const all = journal
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  // Only this start attempt: older failures further up the journal are not its reason.
  const lines = all.slice(
    Math.max(
      0,
      all.reduce((at, l, i) => (/^Starting /.test(l) ? i : at), -1),
    ),
  );
  // A program's own fatal/error lines say why; systemd's "Main process exited" lines only that it did.
  const own = lines.filter((l) => /\blevel=(fatal|panic|error)\b/i.test(l));
  const errors = lines.filter((l) => /error|invalid|fail|must|requires|not /i.test(l));
  return (own.length ? own : errors.length ? errors : lines).slice(-3).join(' | ') || 'no reason in the journal';
}

/**
 * A systemd unit's state. A start or restart is verified: the unit must be active within
 * `waitActive` seconds, else the task fails with the journal's last words.
 */
export function service(params: ServiceParams): Task {
  const state = params.state;
  const unitOf = (host: Host) => resolve(params.unit, host);
  const readsState = (host: Host) =>
    params.enabled !== undefined ||
    ((state === 'started' || state === 'stopped' || state === undefined) && !resolve(params.command, host));
  return task(params, {
    module: 'service',
    defaultName: `service ${typeof params.unit === 'string' ? params.unit : ''} ${state ?? ''}`.trim(),
    // A restart or reload happens whatever the unit's state: only start, stop and enabled read it.
    facts: (host): Record<string, Fact<unknown>> => (readsState(host) ? { unit: unitFact(unitOf(host)) } : {}),
    plansAhead: (host) => !readsState(host),
    async plan(ctx): Promise<Plan> {
      const unit = unitOf(ctx);
      const custom = resolve(params.command, ctx);
      const wait = resolve(params.waitActive, ctx) ?? 20;
      const { unit: now } = readsState(ctx)
        ? await ctx.gather({ unit: unitFact(unit) })
        : { unit: { active: 'unknown', enabled: 'unknown' } };
      const steps: { words: string; action: string; wait: number }[] = [];
      if (params.enabled !== undefined && (now.enabled === 'enabled') !== params.enabled) {
        steps.push({
          words: params.enabled ? 'enable' : 'disable',
          action: `systemctl ${params.enabled ? 'enable' : 'disable'} ${shellQuote(unit)}`,
          wait: 0,
        });
      }
      const act = (verb: string) =>
        steps.push({
          words: verb,
          action: custom ?? `systemctl ${verb} ${shellQuote(unit)}`,
          wait: verb === 'stop' ? 0 : wait,
        });
      if (state === 'started' && now.active !== 'active') act('start');
      if (state === 'stopped' && now.active === 'active') act('stop');
      if (state === 'restarted' || state === 'reloaded') act(VERB[state]);
      if (steps.length === 0)
        return planOk(`${unit} is ${now.active}${params.enabled !== undefined ? `, ${now.enabled}` : ''}`);
      // every step in one command, each run only if the one before succeeded
      const marker = (i: number) => `--- step ${i}`;
      const script = steps
        .map(
          (step, i) => `echo ${shellQuote(marker(i))}; ( ${serviceScript(unit, step.action, step.wait, step.words)}\n)`,
        )
        .join(' &&\n');
      return remoteChange(`${steps.map((s) => s.words).join(' and ')} ${unit}`, {
        command: script,
        changes: true,
        interpret(result) {
          const output = result.stdout + result.stderr;
          if (result.code !== 0) {
            const failedAt = steps.reduce((at, _, i) => (output.includes(marker(i)) ? i : at), 0);
            const step = steps[failedAt]!;
            const own = output.slice(output.indexOf(marker(failedAt)) + marker(failedAt).length);
            return {
              failed: `${unit} did not come up after ${step.words} (${startFailureReason(own)}); \`journalctl -u ${unit}\` has the rest`,
            };
          }
          const verified = steps.some((s) => s.wait > 0) ? ' and active' : '';
          return { message: `${unit} ${steps.map((s) => DONE[s.words] ?? s.words).join(' and ')}${verified}` };
        },
        // A hung start is a failed start: name the command the user knows.
        timedOut: (error) => ({
          failed: `\`${steps.map((s) => s.action).join(' && ')}\` did not finish within the --task-timeout of ${error.timeoutMs / 1000} s`,
        }),
      });
    },
  });
}
