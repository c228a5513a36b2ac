/**
 * `--step`, as ansible-playbook asks: before each task, "(N)o/(y)es/(c)ontinue". Hosts run at
 * once here, so a task is asked about once (the first host to reach it asks, the others wait for
 * that answer), one question at a time; "continue" stops asking for the rest of the run.
 */
import { createInterface } from 'node:readline';
import { CliError, EXIT } from './errors.ts';

export type StepAnswer = 'no' | 'yes' | 'continue';

/** Ansible's reading of the answer: anything but y/yes/c/continue is no (the default). */
export function readStepAnswer(text: string): StepAnswer {
  const answer = text.trim().toLowerCase();
  if (answer === 'y' || answer === 'yes') return 'yes';
  if (answer === 'c' || answer === 'continue') return 'continue';
  return 'no';
}

function askLine(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.question(question, (answer) => {
      rl.close();
      resolve(answer);
    });
  });
}

export function stepPrompter(ask: (question: string) => Promise<string> = askLine): (task: string) => Promise<boolean> {
  if (ask === askLine && !process.stdin.isTTY)
    throw new CliError('--step asks before each task and needs a terminal; run it from one', EXIT.badOptions);
  const answers = new Map<string, Promise<boolean>>();
  let asking: Promise<unknown> = Promise.resolve();
  let continuing = false;
  return (task) => {
    let answer = answers.get(task);
    if (!answer) {
      answer = asking.then(async () => {
        if (continuing) return true;
        const said = readStepAnswer(await ask(`\nPerform task: TASK: ${task} (N)o/(y)es/(c)ontinue: `));
        if (said === 'continue') continuing = true;
        return said !== 'no';
      });
      asking = answer;
      answers.set(task, answer);
    }
    return answer;
  };
}
