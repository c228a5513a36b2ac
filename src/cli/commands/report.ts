import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { jsonDocument } from '../../report/json.ts';
import { MergeError, mergeDocuments, parseRunDocument, type NamedDocument } from '../../report/merge.ts';
import { recapText } from '../../report/recap.ts';
import { writeResultFiles } from '../../report/result-files.ts';
import { documentExitCode } from '../../report/run-document.ts';
import { redact } from '../../report/secrets.ts';
import { CliError, EXIT } from '../errors.ts';
import { readRunOutputs } from '../run-outputs.ts';

interface MergeOptions {
  json?: boolean;
  jsonOut?: string;
  junit?: string;
}

function readDocuments(files: string[]): NamedDocument[] {
  return files.map((file) => {
    if (!existsSync(file)) throw new CliError(`report merge: ${file} does not exist`, EXIT.badOptions);
    try {
      return { file, doc: parseRunDocument(readFileSync(file, 'utf8'), file) };
    } catch (error) {
      if (error instanceof MergeError) throw new CliError(`report merge: ${error.message}`, EXIT.parseError);
      throw error;
    }
  });
}

/** `sls-play report merge a.json b.json…`: one document, one recap and one exit status for a sliced run. */
export function registerReport(program: Command, done: (code: number) => void): void {
  const report = program.command('report').description('work with the result files of runs (--json-out)');
  report
    .command('merge')
    .description("merge the --json-out files of a sliced run: one recap, and the exit status the whole run would have had")
    .argument('<files...>', 'the --json-out files, one per slice')
    .option('--json', 'print the merged JSON document on stdout; the recap goes to stderr')
    .option('--json-out <file>', 'write the merged JSON document to a file')
    .option('--junit <file>', 'write the merged JUnit XML report')
    .action((files: string[], options: MergeOptions) => {
      const outputs = readRunOutputs({ jsonOut: options.jsonOut, junit: options.junit });
      let merged;
      try {
        merged = mergeDocuments(readDocuments(files));
      } catch (error) {
        if (error instanceof MergeError) throw new CliError(`report merge: ${error.message}`, EXIT.badOptions);
        throw error;
      }
      writeResultFiles(outputs.files, merged, { name: 'sls-play merged run' });
      const human = options.json ? process.stderr : process.stdout;
      human.write(redact(recapText(merged)));
      for (const [host, why] of Object.entries(merged.drift ?? {})) human.write(redact(`drift: [${host}] ${why}\n`));
      if (options.json) process.stdout.write(`${jsonDocument(merged)}\n`);
      done(documentExitCode(merged));
    });
}
