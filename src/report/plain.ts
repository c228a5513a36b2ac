import type { RunEvent } from '../runner/types.ts';
import { commandOutputLines, stepLine, warningLines } from './lines.ts';
import { recapText } from './recap.ts';
import { gateEndLine, gateProgressLine, gateStartLine } from './gate-lines.ts';
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
      case 'waiting':
        write(`waiting: [${event.host}] ${event.text}`);
        break;
      case 'step-end': {
        // A step whose message is its warning is printed once, as the warning.
        const { step } = event;
        const selfWarning = step.warnings?.includes(step.message) ?? false;
        if (!selfWarning) write(stepLine(event.host, step));
        for (const line of warningLines(event.host, step)) write(line);
        for (const line of commandOutputLines(step)) write(line);
        if (options.diff && step.diff) write(step.diff);
        break;
      }
      case 'host-end':
        if (event.report.status === 'skipped' && event.report.reason)
          write(`skipping: [${event.host}] ${event.report.reason}`);
        break;
      case 'gate-start':
        write(gateStartLine(event.batch, event.hosts, event.deadline, Date.now()));
        break;
      case 'gate-progress':
        write(gateProgressLine(event.progress, Date.now()));
        break;
      case 'gate-end':
        write(gateEndLine(event.gate));
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
