import type { FileState } from '../../modules/facts.ts';
import { writeFileAtomic, type WriteRecord } from '../../modules/write-file.ts';
import { changed, failed, ok } from '../../playbook/define.ts';
import type { HostContext, StepResult } from '../../playbook/types.ts';
import { unifiedDiff } from '../../report/diff.ts';
import { editSensorConfig } from '../config-edit.ts';
import type { SlsSettings } from '../settings.ts';

/** 0600, or the file's existing mode where that is stricter (e.g. 0400). */
export function configMode(existing: FileState | null): number {
  return existing ? existing.mode & 0o600 : 0o600;
}

/**
 * Puts the one `mcs` output into the sensor config, keeping everything else. In check mode it
 * only says what would change. A written config notifies the restart.
 */
export async function configureSensor(ctx: HostContext, settings: SlsSettings, certPairs: number[]): Promise<StepResult> {
  const current = ctx.facts.config as FileState | null;
  const edit = editSensorConfig(
    current?.content ?? null,
    { url: settings.url, apiKey: settings.apiKey, deployment: settings.deployment, certDir: settings.certDir, containerPairs: certPairs },
    settings.configPath,
  );
  if (!edit.ok) return failed(edit.message);
  ctx.facts.editedConfig = edit.text;
  const mode = configMode(current);
  const modeChange = current !== null && current.mode !== mode;
  if (!edit.changed && !modeChange) {
    if (settings.forceRestart) ctx.notify('restart sensor');
    return ok(`mcs output to ${settings.url} already configured`);
  }
  const changes = [...edit.changes, ...(modeChange ? [`mode ${current!.mode.toString(8)} → ${mode.toString(8)}`] : [])];
  const diff = ctx.diff && edit.changed ? unifiedDiff(settings.configPath, current?.content ?? null, edit.text) : undefined;
  if (ctx.check) return changed(`would change ${settings.configPath}: ${changes.join(', ')}`, { diff });
  const written = await writeFileAtomic(ctx, settings.configPath, edit.text, mode);
  if (!written.ok) {
    return failed(`could not write ${settings.configPath} (${written.error}); the previous config is intact: free space or fix permissions, then rerun`);
  }
  ctx.facts.written = { backup: written.backup, created: written.created, target: written.target } satisfies WriteRecord;
  ctx.notify('restart sensor');
  const backupNote = written.backup ? ` (backup ${written.backup})` : ' (new file)';
  const linkNote = written.target ? ` (${settings.configPath} → ${written.target}, link kept)` : '';
  return changed(`${changes.join(', ')}${backupNote}${linkNote}`, { diff });
}
