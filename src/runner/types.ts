import type { HostStatus, StepResult, StepStatus } from '../playbook/types.ts';
import type { OwedEntry } from '../tasks/owed/record.ts';

export interface StepReport extends Omit<StepResult, 'status'> {
  name: string;
  status: StepStatus | 'unreachable';
}

export interface HostReport {
  status: HostStatus;
  steps: StepReport[];
  /** Why a host was skipped or unreachable, for the recap. */
  reason?: string;
  /** Facts the steps read (status), merged. */
  facts?: Record<string, unknown>;
  /** How the host differs from what it should be, from its steps' findings (status): shown as drift. */
  drift?: string[];
  /** Handlers an earlier run left owed on this host, found when this run started. */
  owedAtStart?: OwedEntry[];
  /** Handlers still owed on this host when this run left it (the next run runs them). */
  stillOwed?: string[];
}

export interface Summary {
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  skipped: number;
}

export interface RunReport {
  hosts: Record<string, HostReport>;
  summary: Summary;
  /** True when the run was stopped by SIGINT/SIGTERM. */
  interrupted?: boolean;
}

/** The runner's only output. Reporters listen; they never steer the run. */
export type RunEvent =
  | { type: 'run-start'; hosts: string[]; check: boolean }
  | { type: 'host-start'; host: string }
  | { type: 'step-start'; host: string; step: string }
  | { type: 'step-end'; host: string; step: StepReport }
  | { type: 'log'; host: string; line: string }
  | { type: 'host-end'; host: string; report: HostReport }
  | { type: 'run-end'; report: RunReport };

export type RunListener = (event: RunEvent) => void;
