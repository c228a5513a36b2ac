// The README's command table and the option tables in docs/ name what the CLI's --help lists:
// every command in the table exists and every command exists in the table; every option a table
// gives for a command is in that command's --help.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { adhocModuleNames } from '../../../src/cli/adhoc-modules.ts';
import { cliInProcess } from '../../helpers/in-process-cli.ts';
import { documentationPages, REPO, tables } from './markdown.ts';

/**
 * Options the docs describe for 0.3.0 that the CLI does not offer yet, as `command option`.
 * The one tolerance of this test: empty it once the options have landed (an entry whose option is
 * in --help already fails the test, so it cannot linger).
 */
const AHEAD_OF_CLI = new Set<string>([]);

interface Help {
  commands: string[];
  options: Set<string>;
}

const helps = new Map<string, Help>();

/** `sls-play <command…> --help`, read in this process: its subcommands and its option names. */
async function help(command: string): Promise<Help> {
  const known = helps.get(command);
  if (known) return known;
  const args = command === '' ? ['--help'] : [...command.split(' '), '--help'];
  const { code, stdout } = await cliInProcess(args);
  assert.equal(code, 0, `sls-play ${args.join(' ')} exits 0`);
  const lines = stdout.split('\n');
  const start = lines.indexOf('Commands:');
  const end = lines.findIndex((line, i) => i > start && !/^\s/.test(line));
  const commands = (start < 0 ? [] : lines.slice(start + 1, end < 0 ? undefined : end))
    .filter((line) => /^ {2}[a-z]/.test(line))
    .map((line) => line.trim().split(/\s+/)[0]!)
    .filter((name) => name !== 'help');
  // option lines, under "Options:" or a group's heading ("Connection Options:"…): two spaces, then a dash
  const options = new Set(
    lines.filter((line) => /^ {2}-/.test(line)).flatMap((line) => optionNames(line.trim().split(/\s{2,}/)[0]!)),
  );
  const parsed = { commands, options };
  helps.set(command, parsed);
  return parsed;
}

/** `-l, --limit <pattern>` → -l, --limit: the option names in a cell or a help line, their arguments left out. */
function optionNames(text: string): string[] {
  const bare = text.replace(/<[^>]*>/g, ' ');
  return [...bare.matchAll(/(?<![\w-])--?[A-Za-z][\w-]*/g)].map((m) => m[0]);
}

/** `sls-play report merge <a.json>…` → the command `report merge` and the options the row shows. */
function commandRow(cell: string): { command: string; options: string[] } {
  const words = cell.replace(/`/g, '').split(/\s+/);
  assert.equal(words[0], 'sls-play', `the command table's first column starts with sls-play: ${cell}`);
  const path: string[] = [];
  for (const word of words.slice(1)) {
    if (!/^[a-z][\w-]*$/.test(word)) break;
    path.push(word);
  }
  return { command: path.join(' '), options: optionNames(words.slice(1 + path.length).join(' ')) };
}

async function missingOptions(command: string, options: string[], where: string): Promise<string[]> {
  const known = (await help(command)).options;
  const problems: string[] = [];
  for (const option of options) {
    const ahead = AHEAD_OF_CLI.has(`${command} ${option}`);
    if (ahead && known.has(option))
      problems.push(`${where}: ${command} ${option} is in --help now: take it out of AHEAD_OF_CLI`);
    if (!ahead && !known.has(option)) problems.push(`${where}: sls-play ${command} --help has no ${option}`);
  }
  return problems;
}

const readme = () => readFileSync(join(REPO, 'README.md'), 'utf8');

function commandTable(): { command: string; options: string[] }[] {
  const found = tables(readme(), 'command');
  assert.equal(found.length, 1, 'the README has one command table');
  return found[0]!.rows.map((row) => commandRow(row[0]!));
}

test("the README's command table names every command of sls-play --help, and nothing else", async () => {
  const rows = commandTable();
  /** The documented commands one level below `parent` ('' for the top level). */
  const documented = (parent: string) => {
    const depth = parent === '' ? 0 : parent.split(' ').length;
    const below = rows
      .map((row) => row.command.split(' '))
      .filter((path) => path.length > depth && path.slice(0, depth).join(' ') === parent && path[depth] !== '')
      .map((path) => path[depth]!);
    return [...new Set(below)].sort();
  };
  const top = await help('');
  assert.deepEqual(documented(''), [...top.commands].sort());
  for (const command of top.commands) {
    const sub = (await help(command)).commands;
    if (sub.length > 0) assert.deepEqual(documented(command), [...sub].sort(), `the subcommands of ${command}`);
  }
});

test("the options in the README's command table are in each command's --help", async () => {
  const problems: string[] = [];
  for (const row of commandTable())
    problems.push(...(await missingOptions(row.command, row.options, 'README.md command table')));
  assert.deepEqual(problems, []);
});

test('every option an option table in docs/ lists is in the --help of each command it names', async () => {
  const problems: string[] = [];
  let checked = 0;
  for (const page of documentationPages()) {
    for (const table of tables(readFileSync(page, 'utf8'), 'option')) {
      const column = table.header.findIndex((cell) => cell.toLowerCase() === 'commands');
      if (column < 0) continue;
      for (const row of table.rows) {
        const options = optionNames(row[0]!.replace(/`/g, ''));
        assert.ok(options.length > 0, `${page}:${table.line}: a row without an option: ${row[0]}`);
        for (const command of row[column]!.split(',').map((c) => c.trim())) {
          problems.push(...(await missingOptions(command, options, `${page.slice(REPO.length)}:${table.line}`)));
          checked += options.length;
        }
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} documented options were checked`);
  assert.deepEqual(problems, []);
});

test('run offers all seven ad hoc modules, and its --help and the README name them all', async () => {
  const modules = adhocModuleNames();
  assert.deepEqual([...modules].sort(), ['assert', 'command', 'file', 'lineinfile', 'package', 'service', 'wait_for']);
  const { stdout } = await cliInProcess(['run', '--help']);
  const runRow = readme()
    .split('\n')
    .find((line) => line.startsWith('| `sls-play run '));
  for (const module of modules) {
    assert.match(stdout.replace(/\s+/g, ' '), new RegExp(`[ ,]${module}[,\\s]`), `run --help names ${module}`);
    assert.ok(runRow?.includes(`\`${module}\``), `the README's run row names ${module}`);
  }
});

test('the option parser of this test reads flags, not their arguments', () => {
  assert.deepEqual(optionNames('-e, --extra-vars <k=v|@file.yml>'), ['-e', '--extra-vars']);
  assert.deepEqual(optionNames('--serial <n | n% | list>'), ['--serial']);
  assert.deepEqual(optionNames('-T, --timeout <s>, --connect-timeout <s>'), ['-T', '--timeout', '--connect-timeout']);
  assert.deepEqual(commandRow('`sls-play inventory [inventory] [--graph|--list|--host NAME]`'), {
    command: 'inventory',
    options: ['--graph', '--list', '--host'],
  });
  assert.deepEqual(commandRow('`sls-play report html <a.json>… -o report.html`'), {
    command: 'report html',
    options: ['-o'],
  });
});
