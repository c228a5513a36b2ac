import type { Vars } from '../inventory/types.ts';
import type { Connection, ExecOptions } from '../transport/types.ts';
import { registerApiKeysIn } from '../report/secrets.ts';
import { shellCommand } from './quote.ts';
import type { HostContext } from './types.ts';

export interface ContextSettings {
  check: boolean;
  diff: boolean;
  /** Per-command timeout applied when a command gives none. */
  commandTimeoutMs?: number;
  /** Run every command through become (sudo) when the host's settings enable it. */
  become: boolean;
}

/** The host context a step sees, plus what the runner needs back (notified handlers). */
export interface HostSession extends HostContext {
  readonly notified: Set<string>;
}

export function createHostContext(
  name: string,
  vars: Vars,
  connection: Connection,
  settings: ContextSettings,
  log: (line: string) => void,
): HostSession {
  const notified = new Set<string>();
  const exec = (command: string, options: ExecOptions = {}) => {
    log(`$ ${command}`);
    return connection
      .exec(command, { timeoutMs: settings.commandTimeoutMs, become: settings.become, ...options })
      .then((result) => {
        // A key read from the host (a config file's api_key) is a secret from here on.
        registerApiKeysIn(result.stdout);
        registerApiKeysIn(result.stderr);
        if (result.stdout.trim()) log(result.stdout.trimEnd());
        if (result.stderr.trim()) log(result.stderr.trimEnd());
        if (result.code !== 0) log(`exit ${result.code}`);
        return result;
      });
  };
  return {
    name,
    vars,
    check: settings.check,
    diff: settings.diff,
    facts: {},
    notified,
    exec,
    $: (pieces, ...values) => exec(shellCommand(pieces, values)),
    notify: (handler) => void notified.add(handler),
    log,
  };
}
