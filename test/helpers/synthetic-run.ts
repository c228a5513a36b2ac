// Drives the reporter a run would choose with synthetic run events, no SSH: for testing the
// live display in a real terminal (tmux). Hosts h-001…h-NNN, 20 at a time; every 17th fails,
// h-013 is unreachable. After the first half it starts 20 more hosts and holds them running
// until the file named by HOLD is deleted, so a test can look at the screen mid-run.
//   node --import tsx test/helpers/synthetic-run.ts <hosts> <hold-file>
import { existsSync } from 'node:fs';
import { chooseReporter } from '../../src/report/choose.ts';
import { summarise } from '../../src/runner/status.ts';
import type { HostReport, StepReport } from '../../src/runner/types.ts';

const total = Number(process.argv[2] ?? 200);
const hold = process.argv[3] ?? '';
const FORKS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const names = Array.from({ length: total }, (_, i) => `h-${String(i + 1).padStart(3, '0')}`);
const reporter = chooseReporter({ diff: false, hostCount: total, env: {} });
const emit = reporter.listener;
const reports: Record<string, HostReport> = {};

async function runHost(name: string, index: number, holdHere: boolean): Promise<void> {
  emit({ type: 'host-start', host: name });
  if (index % 13 === 12 && index < 20) {
    const step: StepReport = { name: 'connect', status: 'unreachable', message: 'connection refused (127.0.0.1:22)' };
    emit({ type: 'step-end', host: name, step });
    reports[name] = { status: 'unreachable', steps: [step] };
  } else {
    const steps: StepReport[] = [];
    for (const stepName of ['sensor version', 'certificates', 'config']) {
      emit({ type: 'step-start', host: name, step: stepName });
      if (holdHere && stepName === 'config') while (existsSync(hold)) await sleep(50);
      await sleep(5);
      const fail = !holdHere && stepName === 'certificates' && index % 17 === 16;
      const step: StepReport = fail
        ? {
            name: stepName,
            status: 'failed',
            message: 'no sophosca<N>.crt/.crl pair in /etc/sophos: install the CA files',
          }
        : {
            name: stepName,
            status: stepName === 'config' ? 'changed' : 'ok',
            message: stepName === 'config' ? 'mcs output added' : 'fine',
          };
      steps.push(step);
      emit({ type: 'step-end', host: name, step });
      if (fail) break;
    }
    reports[name] = { status: steps.some((s) => s.status === 'failed') ? 'failed' : 'changed', steps };
  }
  emit({ type: 'host-end', host: name, report: reports[name]! });
}

emit({ type: 'run-start', hosts: names, check: false });
const half = Math.floor(total / 2);
let next = 0;
// the first half, FORKS at a time
while (next < half) {
  await Promise.all(names.slice(next, Math.min(half, next + FORKS)).map((name, i) => runHost(name, next + i, false)));
  next = Math.min(half, next + FORKS);
}
// FORKS hosts held in their 'config' step until the hold file goes, then the rest
await Promise.all(names.slice(half, half + FORKS).map((name, i) => runHost(name, half + i, true)));
next = half + FORKS;
while (next < total) {
  await Promise.all(names.slice(next, next + FORKS).map((name, i) => runHost(name, next + i, false)));
  next += FORKS;
}
const hosts = Object.fromEntries(names.map((n) => [n, reports[n]!]));
emit({ type: 'run-end', report: { hosts, summary: summarise(hosts) } });
await reporter.finish();
process.stdout.write('SYNTHETIC RUN DONE\n');
