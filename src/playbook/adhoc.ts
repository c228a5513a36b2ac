import { command } from '../modules/command.ts';
import { playbook } from './define.ts';
import type { Playbook } from './types.ts';

/** The playbook behind `exec`: one command as the user typed it; a non-zero exit fails the host. */
export function adhocPlaybook(line: string): Playbook {
  return playbook({ name: 'ad hoc command', tasks: [command({ name: 'command', cmd: line })] });
}
