import { Command, CommanderError } from 'commander';
import { redact } from '../report/secrets.ts';
import { registerDeploy } from './commands/deploy.ts';
import { registerExec } from './commands/exec.ts';
import { registerInit } from './commands/init.ts';
import { registerInventory } from './commands/inventory.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerStatus, registerTestAlert } from './commands/sensor.ts';
import { toolVersion } from '../version.ts';
import { CliError, EXIT } from './errors.ts';

/** The whole command line, every command and option defined; `done` receives a command's exit status. */
export function buildProgram(done: (code: number) => void): Command {
  const program = new Command('sls-play')
    .description(
      'Declarative runs over SSH with TypeScript playbooks; turns on Sophos Linux Sensor alert export to Sophos Central',
    )
    .version(toolVersion(), '-V, --version', "print sls-play's version")
    .exitOverride()
    .showHelpAfterError('(run sls-play --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerDeploy(program, done);
  registerStatus(program, done);
  registerExec(program, done);
  registerRun(program, done);
  registerTestAlert(program, done);
  registerInventory(program, done);
  registerReport(program, done);
  registerInit(program, done);
  for (const command of program.commands) for (const c of [command, ...command.commands]) c.exitOverride();
  return program;
}

/** Parses argv, runs one command and returns the exit status; user mistakes never print a stack. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.badOptions;
    }
    if (error instanceof CliError) {
      process.stderr.write(`sls-play: ${redact(error.message)}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`sls-play: internal error (please report it): ${redact(message)}\n`);
    return EXIT.toolError;
  }
}
