import { changed, failed, playbook, step } from './define.ts';
import type { Playbook } from './types.ts';

/** The playbook behind `exec`: one command as the user typed it; a non-zero exit fails the host. */
export function adhocPlaybook(command: string): Playbook {
  return playbook({
    name: 'ad hoc command',
    steps: [
      step('command', async (ctx) => {
        const result = await ctx.exec(command);
        const output = { rc: result.code, stdout: result.stdout, stderr: result.stderr };
        return result.code === 0
          ? changed(`rc=0`, output)
          : failed(`rc=${result.code}: the command failed on this host; see its output`, output);
      }),
    ],
  });
}
