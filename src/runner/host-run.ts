import type { Vars } from '../inventory/types.ts';
import { createHostContext, type ContextSettings } from '../playbook/context.ts';
import type { Playbook, StepDefinition, StepResult } from '../playbook/types.ts';
import { CommandTimeoutError, UnreachableError, type Connection } from '../transport/types.ts';
import type { HostReport, RunListener, StepReport } from './types.ts';
import { hostStatus } from './status.ts';

export interface HostTarget {
  name: string;
  vars: Vars;
}

/** Turns anything a step throws into a step report: a lost host is unreachable, the rest failed. */
function reportThrown(step: string, error: unknown): StepReport {
  if (error instanceof UnreachableError) return { name: step, status: 'unreachable', message: error.message };
  if (error instanceof CommandTimeoutError) {
    return { name: step, status: 'failed', message: `${error.message}; raise --timeout or look at the host` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: step, status: 'failed', message: `unexpected error: ${message}` };
}

/** Connects, runs the steps then the notified handlers, and always closes the connection. */
export async function runHost(
  target: HostTarget,
  playbook: Playbook,
  connect: (target: HostTarget) => Promise<Connection>,
  settings: ContextSettings,
  emit: RunListener,
  interrupted: () => boolean,
): Promise<HostReport> {
  const host = target.name;
  const steps: StepReport[] = [];
  emit({ type: 'host-start', host });
  let connection: Connection;
  try {
    connection = await connect(target);
  } catch (error) {
    const step = reportThrown('connect', error);
    const report: HostReport = { status: step.status === 'unreachable' ? 'unreachable' : 'failed', steps: [step] };
    emit({ type: 'step-end', host, step });
    emit({ type: 'host-end', host, report });
    return report;
  }
  const ctx = createHostContext(host, target.vars, connection, settings, (line) => emit({ type: 'log', host, line }));
  const runStep = async (definition: StepDefinition): Promise<StepReport> => {
    emit({ type: 'step-start', host, step: definition.name });
    let step: StepReport;
    try {
      const result: StepResult = await definition.run(ctx);
      step = { ...result, name: definition.name };
    } catch (error) {
      step = reportThrown(definition.name, error);
    }
    steps.push(step);
    emit({ type: 'step-end', host, step });
    return step;
  };
  let reason: string | undefined;
  const stopped = (step: StepReport) => step.status === 'failed' || step.status === 'unreachable';
  try {
    let broken = false;
    for (const definition of playbook.steps) {
      if (interrupted()) {
        reason = `interrupted before "${definition.name}": later steps not run`;
        break;
      }
      if (stopped(await runStep(definition))) {
        broken = true;
        break;
      }
    }
    // Handlers run even after an interrupt: a config already written must reach the running sensor.
    if (!broken) {
      for (const handler of playbook.handlers ?? []) {
        if (!ctx.notified.has(handler.name)) continue;
        // Check mode changes nothing on the host, whatever a step notified: a handler is only named.
        if (settings.check) {
          const step: StepReport = { name: handler.name, status: 'skipped', message: 'would run (check mode)' };
          steps.push(step);
          emit({ type: 'step-end', host, step });
          continue;
        }
        if (stopped(await runStep(handler))) break;
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
  const facts = Object.assign({}, ...steps.map((s) => s.facts ?? {})) as Record<string, unknown>;
  const report: HostReport = {
    status: hostStatus(steps),
    steps,
    ...(reason ? { reason } : {}),
    ...(Object.keys(facts).length ? { facts } : {}),
  };
  emit({ type: 'host-end', host, report });
  return report;
}
