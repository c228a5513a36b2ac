import { shellQuote } from '../remote/quote.ts';
import type { ExecResult } from '../transport/types.ts';
import type { SlsSettings } from './settings.ts';

const CENTRAL_NOTE =
  'Sophos Central shows "Alert Tester" under Threat Analysis Center → Detections within about 20 minutes';

/**
 * One command: note the host's clock, trigger the test alert (bounded by the host's `timeout`),
 * then watch the journal since that moment for "Alert Tester" until the timeout.
 */
export function testAlertScript(
  settings: Pick<SlsSettings, 'execPrefix' | 'testTimeoutS'>,
  watchJournal: boolean,
): string {
  const run = settings.execPrefix ? `${settings.execPrefix} ` : '';
  const t = Math.ceil(settings.testTimeoutS);
  const lines = [
    'since=$(date +%s)',
    `if command -v timeout >/dev/null 2>&1; then tmo="timeout ${t}"; else tmo=; fi`,
    `$tmo ${run}sophoslinuxsensor -test-alert; rc=$?`,
    `if [ $rc -eq 124 ]; then echo ${shellQuote(`sophoslinuxsensor -test-alert did not return within ${t} s`)} >&2; exit 124; fi`,
    'if [ $rc -ne 0 ]; then exit $rc; fi',
  ];
  if (watchJournal) {
    lines.push(
      `end=$(( $(date +%s) + ${t} ))`,
      `while :; do l=$(journalctl -u sophoslinuxsensor --since "@$since" -g 'Alert Tester' -o cat --no-pager 2>/dev/null | tail -n 1); [ -n "$l" ] && { echo "seen: $l"; exit 0; }; [ $(date +%s) -ge $end ] && break; sleep 0.25; done`,
      'echo "not seen" >&2; exit 3',
    );
  }
  return lines.join('\n');
}

/** What the test alert's script said, in words: passed, or failed with what to check. */
export function testAlertOutcome(
  result: ExecResult,
  settings: Pick<SlsSettings, 'testTimeoutS'>,
): { ok: boolean; message: string } {
  const seen = /^seen: (.*)$/m.exec(result.stdout)?.[1];
  if (result.code === 0 && seen)
    return { ok: true, message: `"Alert Tester" seen in the journal ("${seen}"); ${CENTRAL_NOTE}` };
  if (result.code === 0) {
    return {
      ok: true,
      message: `test alert sent; no enabled stdout output, so nothing to see on the host: ${CENTRAL_NOTE}`,
    };
  }
  if (result.code === 124) {
    return {
      ok: false,
      message: `sophoslinuxsensor -test-alert did not return within sls_test_timeout (${settings.testTimeoutS} s): check the sensor with journalctl -u sophoslinuxsensor`,
    };
  }
  if (result.code === 3) {
    return {
      ok: false,
      message: `the test alert was triggered but "Alert Tester" did not reach the journal within ${settings.testTimeoutS} s: check the sensor's outputs and journalctl -u sophoslinuxsensor`,
    };
  }
  const why = (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ');
  return {
    ok: false,
    message: `sophoslinuxsensor -test-alert failed (exit ${result.code}${why ? `: ${why}` : ''}): is the sensor running? (systemctl status sophoslinuxsensor)`,
  };
}
