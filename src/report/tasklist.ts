import { Listr, ListrLogger, ProcessOutput, type ListrTaskWrapper } from 'listr2';
import type { HostReport, RunEvent, RunReport, StepReport } from '../runner/types.ts';
import { detailLines, hostSummary } from './details.ts';
import { recapText } from './recap.ts';
import { hostGateTitle } from './gate-lines.ts';
import type { Reporter, ReporterOptions } from './reporter.ts';
import { redact } from './secrets.ts';

// listr2's wrapper type is generic over renderers we never name; this is the part we use.
type TaskHandle = Pick<ListrTaskWrapper<unknown, never, never>, 'title' | 'output' | 'skip'>;

interface HostView {
  task?: TaskHandle;
  /** The row's latest title, kept for when listr2 hands over the task (it starts them asynchronously). */
  title?: string;
  steps: StepReport[];
  done: Promise<HostReport>;
  resolve: (report: HostReport) => void;
}

/** The live task list on a terminal: one row per host showing its current step, then details and the recap. */
export function taskListReporter(options: ReporterOptions): Reporter {
  const views = new Map<string, HostView>();
  let running: Promise<unknown> = Promise.resolve();
  let finalReport: RunReport | undefined;
  const stream = options.out as NodeJS.WriteStream;
  const logger = new ListrLogger({ processOutput: new ProcessOutput(stream, stream) });

  const start = (hosts: string[], check: boolean) => {
    for (const host of hosts) {
      let resolve!: (report: HostReport) => void;
      const done = new Promise<HostReport>((r) => (resolve = r));
      views.set(host, { steps: [], done, resolve });
    }
    const list = new Listr(
      hosts.map((host) => ({
        title: `${host}  waiting`,
        task: async (_ctx: unknown, task: TaskHandle) => {
          const view = views.get(host)!;
          view.task = task;
          if (view.title) task.title = view.title;
          const report = await view.done;
          task.title = hostSummary(host, report);
          if (report.status === 'failed' || report.status === 'unreachable') throw new Error(hostSummary(host, report));
          // skipped, or ok with drift found: not a green tick
          if (report.status === 'skipped' || report.drift?.length) task.skip(hostSummary(host, report));
        },
      })),
      {
        concurrent: true,
        exitOnError: false,
        // the summary line says skipped or drift itself
        rendererOptions: { logger, collapseErrors: true, showErrorMessage: false, suffixSkips: false },
      },
    );
    if (check) stream.write('CHECK MODE: nothing will be changed\n');
    running = list.run().catch(() => undefined);
  };

  const listener = (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
        start(event.hosts, event.check);
        break;
      case 'step-start': {
        const view = views.get(event.host);
        if (!view) break;
        view.title = redact(`${event.host}  ${event.step}…`);
        if (view.task) view.task.title = view.title;
        break;
      }
      case 'step-end':
        views.get(event.host)?.steps.push(event.step);
        break;
      case 'host-end':
        views.get(event.host)?.resolve(event.report);
        break;
      case 'gate-progress':
        for (const host of [...event.progress.seen, ...event.progress.waiting]) {
          const view = views.get(host);
          if (!view) continue;
          view.title = redact(hostGateTitle(host, event.progress, Date.now()));
          if (view.task) view.task.title = view.title;
        }
        break;
      case 'run-end':
        finalReport = event.report;
        break;
      default:
        break;
    }
  };

  const finish = async () => {
    await running;
    const lines = [...views].flatMap(([host, view]) => detailLines(host, view.steps, options.diff));
    if (lines.length) stream.write(redact(`\n${lines.join('\n')}\n`));
    if (finalReport) stream.write(redact(recapText(finalReport)));
  };
  return { listener, finish };
}
