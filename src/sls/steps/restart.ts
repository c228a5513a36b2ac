import { restoreBackup } from '../../modules/write-file.ts';
import { changed, failed } from '../../playbook/define.ts';
import type { HostContext, StepResult } from '../../playbook/types.ts';
import type { SlsSettings } from '../settings.ts';

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
  const lines = journal.split('\n').map((l) => l.trim()).filter(Boolean);
  const errors = lines.filter((l) => /error|invalid|fail|must|requires|not /i.test(l));
  return (errors.length ? errors : lines).slice(-3).join(' | ') || 'no reason in the journal';
}

/**
 * Restarts the sensor to load the new config. If it will not start, the previous config is put
 * back and the sensor started again, so the host is never left worse than before.
 */
export async function restartSensor(ctx: HostContext, settings: SlsSettings): Promise<StepResult> {
  const first = await ctx.exec(restartScript(settings));
  if (first.code === 0) {
    ctx.notify('test alert');
    return changed(`${UNIT} restarted and active`);
  }
  const reason = restartFailureReason(first.stdout + first.stderr);
  const backup = ctx.facts.backup as string | undefined;
  const restored = await restoreBackup(ctx, settings.configPath, backup);
  const again = restored ? await ctx.exec(restartScript(settings)) : undefined;
  const previous = backup ? 'the previous config was restored' : 'the new config was removed (there was none before)';
  if (restored && again?.code === 0) {
    return failed(`the sensor would not start with the new config (${reason}); ${previous} and the sensor is running again: fix the cause and rerun`);
  }
  return failed(
    `the sensor would not start with the new config (${reason}); ${restored ? `${previous} but the sensor still does not start` : `restoring ${backup ?? 'the previous state'} failed too`}: look at the host now (journalctl -u ${UNIT})`,
  );
}
