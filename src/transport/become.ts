import { randomBytes } from 'node:crypto';
import { shellQuote } from './quote.ts';
import { BecomeError, type BecomeFailure } from './types.ts';

/**
 * sudo with a marker protocol, so the password is written only when sudo asks for it:
 * if sudo does not ask (NOPASSWD, cached credentials), a password sent up front would become
 * the first line of the command's own stdin. The command's shell prints `ready` on stderr
 * once sudo has let it run; everything sudo said before that is sudo's, not the command's.
 */
export interface BecomePlan {
  command: string;
  /** sudo's prompt text, present only when a password will be sent. */
  prompt?: string;
  ready: string;
}

export function becomeCommand(
  command: string,
  user: string,
  withPassword: boolean,
  token: string = randomBytes(8).toString('hex'),
): BecomePlan {
  const ready = `SLSPLAY-BECOME-READY-${token}`;
  // `-n` without a password: sudo fails at once instead of waiting for one that never comes.
  const prompt = withPassword ? `SLSPLAY-BECOME-PROMPT-${token}:` : undefined;
  const sudo = prompt === undefined ? 'sudo -n' : `sudo -S -p ${shellQuote(prompt)}`;
  // sudo relays a TERM only to its own child, and the login user may not signal the root-owned
  // rest of the group; so the child passes a TERM on to the whole group. The command runs in the
  // background to let the trap fire at once, with stdin kept through fd 3 (a background job's
  // stdin would be /dev/null).
  const inner = [
    `printf '%s\\n' ${ready} >&2`,
    'exec 3<&0',
    `trap 'trap - TERM; kill -TERM 0' TERM`,
    'sh -c "$1" <&3 3<&- &',
    'wait $!',
  ].join('\n');
  return {
    command: `${sudo} -u ${shellQuote(user)} -- sh -c ${shellQuote(inner)} sh ${shellQuote(command)}`,
    prompt,
    ready,
  };
}

export interface BecomeContext {
  loginUser: string;
  becomeUser: string;
  host: string;
}

/** Why sudo refused, from what it printed before the command could start. */
export function becomeFailure(sudoOutput: string, code: number, context: BecomeContext): BecomeError {
  const who = `${context.loginUser}@${context.host}`;
  const said = sudoOutput
    .split('\n')
    .map((line) => line.replace(/SLSPLAY-BECOME-PROMPT-[0-9a-f]+:/g, '').trim())
    .filter((line) => line !== '')
    .pop();
  const classify = (): [BecomeFailure, string] => {
    if (/incorrect password|try again/i.test(sudoOutput)) {
      return ['password-rejected', `sudo password rejected for ${who}; check ansible_become_password or the -K answer`];
    }
    if (/password is required/i.test(sudoOutput)) {
      return [
        'password-required',
        `sudo on ${who} asks for a password and none was given; set ansible_become_password or use -K`,
      ];
    }
    if (/not in the sudoers|not allowed to execute|may not run sudo/i.test(sudoOutput)) {
      return [
        'not-permitted',
        `${who} may not run commands as ${context.becomeUser} through sudo (${said ?? 'sudo refused'}); fix the sudoers policy`,
      ];
    }
    if (code === 127 || /sudo: (command )?not found/i.test(sudoOutput)) {
      return [
        'sudo-missing',
        `sudo is not installed on ${context.host}; install it or log in as ${context.becomeUser}`,
      ];
    }
    return ['other', `sudo to ${context.becomeUser} failed on ${who} (exit ${code}${said ? `: ${said}` : ''})`];
  };
  const [reason, message] = classify();
  return new BecomeError(reason, message);
}

/** Whether sudo is needed at all: becoming the user one already is costs a process for nothing. */
export function needsBecome(loginUser: string, becomeUser: string): boolean {
  return loginUser !== becomeUser;
}
