/**
 * `--step`, as ansible-playbook asks: before each task, "(N)o/(y)es/(c)ontinue". Hosts run at
 * once here, so a task is asked about once (the first host to reach it asks, the others wait for
 * that answer), one question at a time; "continue" stops asking for the rest of the run.
 */
import { createInterface, type Interface } from 'node:readline';
import { CliError, EXIT } from './errors.ts';

export type StepAnswer = 'no' | 'yes' | 'continue';

/** Ansible's reading of the answer: anything but y/yes/c/continue is no (the default). */
export function readStepAnswer(text: string): StepAnswer {
  const answer = text.trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return 'yes';
  if (answer === 'c' || answer === 'continue') return 'continue';
  return 'no';
}

export interface StepPrompter {
  /** Whether to run the task (asked once per task name). */
  ask(task: string): Promise<boolean>;
  /** Lets go of the terminal once the run is over. */
  close(): void;
}

/** One reader for the whole run: answers typed ahead (or pasted) wait for their question. */
function terminalLines(): { next(question: string): Promise<string>; close(): void } {
  let rl: Interface | undefined;
  const typed: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  return {
    next(question) {
      if (!rl) {
        rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
        rl.on('line', (line) => (waiting.length ? waiting.shift()!(line) : typed.push(line)));
        rl.on('close', () => {
          for (const resolve of waiting.splice(0)) resolve('');
        });
      }
      process.stderr.write(question);
      const ready = typed.shift();
      return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    close() {
      rl?.close();
    },
  };
}

export function stepPrompter(lines = terminalLines(), terminal = Boolean(process.stdin.isTTY)): StepPrompter {
  if (!terminal)
    throw new CliError('--step asks before each task and needs a terminal; run it from one', EXIT.badOptions);
  const answers = new Map<string, Promise<boolean>>();
  let asking: Promise<unknown> = Promise.resolve();
  let continuing = false;
  return {
    ask(task) {
      let answer = answers.get(task);
      if (!answer) {
        answer = asking.then(async () => {
          if (continuing) return true;
          const said = readStepAnswer(await lines.next(`\nPerform task: TASK: ${task} (N)o/(y)es/(c)ontinue: `));
          if (said === 'continue') continuing = true;
          return said !== 'no';
        });
        asking = answer;
        answers.set(task, answer);
      }
      return answer;
    },
    close: () => lines.close(),
  };
}
