import { restoreBackup, type WriteRecord } from '../../modules/write-file.ts';
import { changed, failed } from '../../playbook/define.ts';
import type { HostContext, StepResult } from '../../playbook/types.ts';
import type { SlsSettings } from '../settings.ts';
import { CommandTimeoutError } from '../../transport/types.ts';

const UNIT = 'sophoslinuxsensor';

/**
 * One command: restart, then wait until the unit is active; on failure print why from the journal.
 * A container has no unit on the host: its restart command's exit status is the answer.
 */
export function restartScript(settings: Pick<SlsSettings, 'restartCommand' | 'deployment'>, waitS = 20): string {
  const journal = `journalctl -u ${UNIT} -n 15 -o cat --no-pager 2>/dev/null | tail -n 15`;
  const lines = [
    `if ! out=$(${settings.restartCommand} 2>&1); then printf '%s\\n' "$out"; echo '--- journal'; ${journal}; exit 1; fi`,
  ];
  if (settings.deployment === 'package') {
    lines.push(
      `i=0; while [ $i -lt ${waitS * 4} ]; do s=$(systemctl is-active ${UNIT} 2>/dev/null); [ "$s" = active ] && exit 0; [ "$s" = failed ] && break; sleep 0.25; i=$((i+1)); done`,
      `echo "${UNIT} is $(systemctl is-active ${UNIT} 2>/dev/null) after the restart"; echo '--- journal'; ${journal}; exit 1`,
    );
  }
  return lines.join('\n');
}

/** The journal's own words on why the sensor did not start: the lines after our marker, errors first. */
export function restartFailureReason(output: string): string {
  const journal = output.split('--- journal\n')[1] ?? output;
  const all = journal.split('\n').map((l) => l.trim()).filter(Boolean);
  // Only this start attempt: older failures further up the journal are not its reason.
  const lines = all.slice(Math.max(0, all.reduce((at, l, i) => (/^Starting /.test(l) ? i : at), -1)));
  // The sensor's own fatal/error lines say why; systemd's "Main process exited" lines only that it did.
  const own = lines.filter((l) => /\blevel=(fatal|panic|error)\b/i.test(l));
  const errors = lines.filter((l) => /error|invalid|fail|must|requires|not /i.test(l));
  return (own.length ? own : errors.length ? errors : lines).slice(-3).join(' | ') || 'no reason in the journal';
}

/** One restart: undefined when the sensor came up, else why not (the journal's words, or a timeout). */
async function restartOnce(ctx: HostContext, settings: SlsSettings): Promise<{ reason: string; timedOut: boolean } | undefined> {
  try {
    const result = await ctx.exec(restartScript(settings));
    return result.code === 0 ? undefined : { reason: restartFailureReason(result.stdout + result.stderr), timedOut: false };
  } catch (error) {
    // A hung restart is a failed restart: name the command the user knows, then roll back.
    if (error instanceof CommandTimeoutError) {
      return { reason: `\`${settings.restartCommand}\` did not finish within the --timeout of ${error.timeoutMs / 1000} s`, timedOut: true };
    }
    throw error;
  }
}

/**
 * Restarts the sensor to load the new config. If it will not start (or the restart hangs past
 * --timeout), the previous config is put back and the sensor restarted again, so the host is
 * never left with a new config that the sensor cannot run.
 */
export async function restartSensor(ctx: HostContext, settings: SlsSettings): Promise<StepResult> {
  const first = await restartOnce(ctx, settings);
  if (first === undefined) {
    ctx.notify('test alert');
    return changed(`${UNIT} restarted and active`);
  }
  const what = first.timedOut ? first.reason : `the sensor would not start with the new config (${first.reason})`;
  // Undo only what this run wrote: a forced restart that wrote nothing leaves the config as it is.
  const written = ctx.facts.written as WriteRecord | undefined;
  if (!written) {
    return failed(
      `${first.timedOut ? first.reason : `the sensor would not start (${first.reason})`}; this run wrote no config, so ${settings.configPath} was left as it was: fix the cause (journalctl -u ${UNIT}) and rerun`,
    );
  }
  const restored = await restoreBackup(ctx, settings.configPath, written);
  const again = restored ? await restartOnce(ctx, settings) : undefined;
  const previous = written.backup ? 'the previous config was restored' : 'the new config was removed (there was none before)';
  if (restored && again === undefined) {
    return failed(`${what}; ${previous} and the sensor is running again: fix the cause and rerun`);
  }
  const still = again?.timedOut ? `its restart did not finish either` : 'the sensor still does not start';
  return failed(
    `${what}; ${restored ? `${previous} but ${still}` : `restoring ${written.backup ?? 'the previous state'} failed too`}: look at the host now (journalctl -u ${UNIT})`,
  );
}
