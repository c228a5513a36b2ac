/**
 * `Match exec` as ssh runs it (readconf.c execute_in_shell): the user's shell (`$SHELL`, else
 * /bin/sh) with `-c`, stdin and stdout on /dev/null, stderr left to the user; exit status 0 is a
 * match. ssh waits for it, and so does this: the lookup that asks is synchronous.
 */
import { spawnSync } from 'node:child_process';

export type ExecOutcome = { matched: boolean } | { error: string };

export function userShell(): string {
  const shell = process.env.SHELL;
  return shell === undefined || shell === '' ? '/bin/sh' : shell;
}

/** sls-play's own secrets, which no command from an ssh config needs to see. */
const OWN_SECRETS = ['SLS_API_KEY', 'SLS_PLAY_KEY_PASSPHRASE'];

/** The environment of a command from the ssh config: the user's, less sls-play's own secrets. */
export function commandEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of OWN_SECRETS) delete env[name];
  return env;
}

export function runMatchExec(command: string): ExecOutcome {
  const shell = userShell();
  const result = spawnSync(shell, ['-c', command], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: commandEnvironment(),
  });
  if (result.error) return { error: `could not run ${shell}: ${result.error.message}` };
  // ssh gives up on a command killed by a signal rather than call it a mismatch
  if (result.status === null) return { error: `it was stopped by ${result.signal ?? 'a signal'}` };
  return { matched: result.status === 0 };
}
