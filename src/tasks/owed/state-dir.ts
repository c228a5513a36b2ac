import type { Vars } from '../../inventory/types.ts';
import { PlaybookInputError } from '../../base/input-error.ts';

/** `sls_play_state_dir`: where owed-handler records live on the host; undefined for the default. */
export function stateDirOf(vars: Vars): string | undefined {
  const value = vars.sls_play_state_dir;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !value.startsWith('/') || /[\n\r\0]/.test(value)) {
    throw new PlaybookInputError(
      `sls_play_state_dir ${JSON.stringify(value)} is not an absolute directory path; give one such as /var/lib/sls-play`,
    );
  }
  return value.replace(/\/+$/, '') || '/';
}
