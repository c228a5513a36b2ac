import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { jsonDocument } from '../../report/json.ts';
import { MergeError, mergeDocuments, parseRunDocument, type NamedDocument } from '../../report/merge.ts';
import { recapText } from '../../report/recap.ts';
import { resultFileProblem, writeResultFiles } from '../../report/result-files.ts';
import { documentExitCode, type RunDocument } from '../../report/run-document.ts';
import { mergedRunInfo } from '../../report/run-timing.ts';
import { redact } from '../../report/secrets.ts';
import { CliError, EXIT } from '../errors.ts';
import { readRunOutputs } from '../run-outputs.ts';

interface MergeOptions {
  json?: boolean;
  jsonOut?: string;
  junit?: string;
  htmlOut?: string;
}

function readDocuments(files: string[], command: string): NamedDocument[] {
  return files.map((file) => {
    if (!existsSync(file)) throw new CliError(`${command}: ${file} does not exist`, EXIT.badOptions);
    try {
      return { file, doc: parseRunDocument(readFileSync(file, 'utf8'), file) };
    } catch (error) {
      if (error instanceof MergeError) throw new CliError(`${command}: ${error.message}`, EXIT.parseError);
      throw error;
    }
  });
}

/** The one document of the files: a lone one as it is (a single slice shows as that slice), else the slices merged, with who ran them and when. */
function oneDocument(files: string[], command: string): RunDocument {
  const inputs = readDocuments(files, command);
  if (inputs.length === 1) return inputs[0]!.doc;
  try {
    const run = mergedRunInfo(inputs.map((i) => i.doc.run));
    const tool = inputs[0]!.doc.tool;
    return { ...mergeDocuments(inputs), ...(run ? { run } : {}), ...(tool ? { tool } : {}) };
  } catch (error) {
    if (error instanceof MergeError) throw new CliError(`${command}: ${error.message}`, EXIT.badOptions);
    throw error;
  }
}

/** `sls-play report merge a.json b.json…`: one document, one recap and one exit status for a sliced run. */
export function registerReport(program: Command, done: (code: number) => void): void {
  const report = program.command('report').description('work with the result files of runs (--json-out)');
  report
    .command('merge')
    .description(
      'merge the --json-out files of a sliced run: one recap, and the exit status the whole run would have had',
    )
    .argument('<files...>', 'the --json-out files, one per slice')
    .option('--json', 'print the merged JSON document on stdout; the recap goes to stderr')
    .option('--json-out <file>', 'write the merged JSON document to a file')
    .option('--junit <file>', 'write the merged JUnit XML report')
    .option('--html-out <file>', 'write the merged run as a self-contained HTML report')
    .action((files: string[], options: MergeOptions) => {
      const outputs = readRunOutputs({ jsonOut: options.jsonOut, junit: options.junit, htmlOut: options.htmlOut });
      const inputs = readDocuments(files, 'report merge');
      let merged: RunDocument;
      try {
        const run = mergedRunInfo(inputs.map((i) => i.doc.run));
        merged = { ...mergeDocuments(inputs), ...(run ? { run } : {}) };
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
  report
    .command('html')
    .description(
      'make a self-contained HTML report of a run from its --json-out files (the slices of a sliced run are merged); exits 0 once written, whatever the run did',
    )
    .argument('<files...>', 'the --json-out files: one run, or every slice of a sliced run')
    .requiredOption('-o, --output <file>', 'the HTML file to write')
    .action((files: string[], options: { output: string }) => {
      const problem = resultFileProblem(options.output, '-o');
      if (problem) throw new CliError(`report html: ${problem}`, EXIT.badOptions);
      const doc = oneDocument(files, 'report html');
      writeResultFiles({ htmlOut: options.output }, doc, { name: 'sls-play report' });
      process.stderr.write(`report html: ${Object.keys(doc.hosts).length} hosts written to ${options.output}\n`);
      done(EXIT.ok);
    });
}
