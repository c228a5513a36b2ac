import type { Command } from 'commander';
import type { Playbook } from '../../playbook/types.ts';
import type { RunReport } from '../../runner/types.ts';
import { statusTable } from '../../sls/status-table.ts';
import { statusPlaybook, testAlertPlaybook } from '../../sls/read-playbooks.ts';
import { driftCheck } from '../drift.ts';
import { execute } from '../execute.ts';
import { addRunOptions, type RunCliOptions } from '../run-options.ts';
import { EXIT } from '../errors.ts';
import { addPlaybookOptions, tagFilter, type PlaybookCliOptions } from '../playbook-options.ts';
import { addCentralOptions, prepareCentral, type CentralCliOptions } from './central.ts';
import { preparePlaybookRun } from './playbook-start.ts';

function register(
  program: Command,
  name: string,
  description: string,
  playbook: Playbook,
  done: (code: number) => void,
  epilogue?: (report: RunReport) => string,
  withDriftOption = false,
): void {
  const command = addRunOptions(
    program
      .command(name)
      .description(description)
      .argument('[inventory]', 'inventory file or directory (or -i; default: inventory from ansible.cfg)'),
  );
  addPlaybookOptions(command);
  addCentralOptions(command, name === 'test-alert');
  if (withDriftOption) {
    command.option(
      '--fail-on-drift',
      'exit 2 when a host is not compliant (sensor too old, no certificates, no or wrong mcs output, mcs endpoint unreachable, service not active)',
    );
  }
  command.action(
    async (
      inventory: string | undefined,
      options: RunCliOptions & CentralCliOptions & PlaybookCliOptions & { failOnDrift?: boolean },
    ) => {
      const prepared = await preparePlaybookRun(name, async () => playbook, inventory, options);
      if (prepared === undefined) return done(EXIT.ok);
      const { targets, start } = prepared;
      const central = await prepareCentral(options, name === 'status' ? 'status' : 'wait');
      const afterRun = central && ((report: RunReport) => central.afterRun(report, targets));
      const drift = options.failOnDrift ? driftCheck(targets) : undefined;
      // status reads only: it never takes the run lock, it says when a run is in progress
      const lock = name === 'status' ? ('look' as const) : undefined;
      const run = { check: false, diff: false, epilogue, afterRun, drift, lock, ...tagFilter(options), ...start };
      done(await execute(playbook, targets, options, run));
    },
  );
}

export function registerStatus(program: Command, done: (code: number) => void): void {
  register(
    program,
    'status',
    'read-only audit of every host: version, certificates, mcs output and whether its endpoint is reachable, service, last test alert',
    statusPlaybook,
    done,
    statusTable,
    true,
  );
}

export function registerTestAlert(program: Command, done: (code: number) => void): void {
  register(
    program,
    'test-alert',
    "trigger the sensor's test alert on the chosen hosts and verify it",
    testAlertPlaybook,
    done,
  );
}
