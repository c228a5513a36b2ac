/**
 * The positional words of `exec` and `run`: `<inventory> <pattern> …` as before, or, with -i,
 * `<pattern> …` as `ansible -i inv PATTERN` takes them.
 */
import { CliError, EXIT } from './errors.ts';

export interface AdhocWords {
  inventory: string | undefined;
  pattern: string;
  rest: string[];
}

export function adhocWords(command: string, words: (string | undefined)[], withInventoryOption: boolean): AdhocWords {
  const given = words.filter((w): w is string => w !== undefined);
  const inventory = withInventoryOption ? undefined : given.shift();
  const pattern = given.shift();
  if (pattern === undefined) {
    const usage = withInventoryOption
      ? `sls-play ${command} -i INVENTORY PATTERN …`
      : `sls-play ${command} INVENTORY PATTERN …`;
    throw new CliError(`${command}: no host pattern given (${usage}; all for every host)`, EXIT.badOptions);
  }
  return { inventory, pattern, rest: given };
}
