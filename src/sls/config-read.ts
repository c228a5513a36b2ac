import { parse } from 'yaml';

/** What the other commands need to know of a sensor config, read without changing it. */
export interface SensorConfigSummary {
  /** The first `mcs` output, if any (its key is never read out). */
  mcs?: { enabled: boolean; url?: string };
  /** An enabled `stdout` output writes alerts to the journal, where the test alert can be seen. */
  stdoutEnabled: boolean;
  /** Set when the file does not parse. */
  error?: string;
}

type Output = { type?: unknown; enabled?: unknown; url?: unknown };

/** Outputs count as enabled unless they say `enabled: false`. */
const isEnabled = (output: Output) => output.enabled !== false && output.enabled !== 'false';

/** What a sensor config says about its outputs: the `mcs` one (never its key) and whether `stdout` is on. */
export function summariseSensorConfig(text: string | null): SensorConfigSummary {
  if (text === null || !text.trim()) return { stdoutEnabled: false };
  let data: unknown;
  try {
    data = parse(text, { merge: true }); // `<<: *base` as the sensor reads it
  } catch (error) {
    return { stdoutEnabled: false, error: (error as Error).message.split('\n')[0] };
  }
  const outputs = (data as { alert_output?: { outputs?: unknown } } | null)?.alert_output?.outputs;
  const list: Output[] = Array.isArray(outputs)
    ? outputs.filter((o): o is Output => Boolean(o) && typeof o === 'object')
    : [];
  const mcs = list.find((o) => o.type === 'mcs');
  return {
    mcs: mcs ? { enabled: isEnabled(mcs), url: typeof mcs.url === 'string' ? mcs.url : undefined } : undefined,
    stdoutEnabled: list.some((o) => o.type === 'stdout' && isEnabled(o)),
  };
}
