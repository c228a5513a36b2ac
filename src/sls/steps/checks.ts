import { failed, ok } from '../../playbook/define.ts';
import type { HostContext, StepResult } from '../../playbook/types.ts';
import { analyseCerts } from '../certs.ts';
import type { SlsSettings } from '../settings.ts';
import { interpretVersionProbe } from '../version.ts';

export function checkVersion(ctx: HostContext, settings: Pick<SlsSettings, 'minVersion'>): StepResult {
  const check = interpretVersionProbe(ctx.facts.version as string, settings.minVersion);
  ctx.facts.sensorVersion = check.version;
  return check.status === 'ok' ? ok(check.message) : failed(check.message);
}

export function checkCerts(ctx: HostContext, settings: Pick<SlsSettings, 'certDir'>): StepResult {
  const certs = analyseCerts(ctx.facts.certFiles as string[], settings.certDir);
  ctx.facts.certPairs = certs.pairs;
  if (certs.status === 'failed') return failed(certs.message);
  return ok(certs.message, certs.status === 'warning' ? { warnings: [certs.message] } : {});
}
