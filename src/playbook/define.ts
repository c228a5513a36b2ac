import type { HostContext, Playbook, StepDefinition, StepResult } from './types.ts';

/** Declares a playbook: the steps that describe the desired state, and the handlers they notify. */
export function playbook(definition: Playbook): Playbook {
  const names = new Set<string>();
  for (const handler of definition.handlers ?? []) {
    if (names.has(handler.name)) throw new Error(`playbook ${definition.name}: two handlers named "${handler.name}"`);
    names.add(handler.name);
  }
  return definition;
}

/** Declares a step (or a handler: a step that runs only when notified). */
export function step(name: string, run: (ctx: HostContext) => Promise<StepResult>): StepDefinition {
  return { name, run };
}

export const ok = (message: string, extra: Partial<StepResult> = {}): StepResult => ({ status: 'ok', message, ...extra });
export const changed = (message: string, extra: Partial<StepResult> = {}): StepResult => ({ status: 'changed', message, ...extra });
export const failed = (message: string, extra: Partial<StepResult> = {}): StepResult => ({ status: 'failed', message, ...extra });
export const skipped = (message: string, extra: Partial<StepResult> = {}): StepResult => ({ status: 'skipped', message, ...extra });
