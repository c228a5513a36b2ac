import type { RunEvent } from '../runner/types.ts';
import { commandOutputLines, stepLine, warningLines } from './lines.ts';
import { recapText } from './recap.ts';
import type { Reporter, ReporterOptions } from './reporter.ts';
import { redact } from './secrets.ts';

/** Line-per-event output for logs, CI and pipes: every line as it happens, then the recap. */
export function plainReporter(options: ReporterOptions): Reporter {
  const write = (text: string) => options.out.write(redact(text.endsWith('\n') ? text : `${text}\n`));
  const listener = (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
        write(`${event.check ? 'CHECK MODE (nothing will be changed): ' : ''}${event.hosts.length} host(s)`);
        break;
      case 'log':
        if (options.verbose) write(`  [${event.host}] ${event.line}`);
        break;
      case 'step-end':
        write(stepLine(event.host, event.step));
        // A warning that is the step's own message was just printed with it: say it once.
        for (const line of warningLines(event.host, { ...event.step, warnings: event.step.warnings?.filter((w) => w !== event.step.message) })) {
          write(line);
        }
        for (const line of commandOutputLines(event.step)) write(line);
        if (options.diff && event.step.diff) write(event.step.diff);
        break;
      case 'host-end':
        if (event.report.status === 'skipped' && event.report.reason) write(`skipping: [${event.host}] ${event.report.reason}`);
        break;
      case 'run-end':
        write(recapText(event.report));
        break;
      default:
        break;
    }
  };
  return { listener, finish: async () => undefined };
}
