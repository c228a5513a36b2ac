/**
 * Can the host reach its MCS endpoint? A fact gathered with the others (no round trip of its own):
 * the probe's answer read into a reachability and a reason in words.
 */
import type { Fact } from '../remote/facts.ts';
import { mcsProbeCommand, type ProbeTarget } from './mcs-probe-script.ts';

/** Why an endpoint could not be reached (or `ok`, or `ok-tcp` when only a TCP connect could be tried). */
export type ProbeReason =
  | 'ok'
  | 'ok-tcp'
  | 'not-resolved'
  | 'refused'
  | 'timed-out'
  | 'timed-out-tls'
  | 'tls-failed'
  | 'unreachable'
  | 'proxy-not-resolved'
  | 'proxy-failed'
  | 'cannot-tell'
  | 'error';

/** What a host said about its endpoint. */
export interface McsReach {
  /** yes, no, or cannot tell (no client on the host, or an answer that could not be read). */
  reachable: 'yes' | 'no' | 'unknown';
  /** Why, as a word (not resolved, refused, timed out, TLS failed, …). */
  reason: ProbeReason;
  /** "mcs.example.com:443" */
  endpoint: string;
  /** curl, openssl, bash, python3, or none. */
  client: string;
  /** The proxy probed through (host:port, no credentials), when the sensor's environment names one. */
  proxy?: string;
  /** Where it was probed from: the host, the container, or the host because the container could not run a shell. */
  from: 'host' | 'container' | 'host-fallback';
}

const WORDS: Record<ProbeReason, string> = {
  ok: 'reachable (TCP and TLS)',
  'ok-tcp': 'reachable (TCP only: the host has no TLS client)',
  'not-resolved': 'name not resolved',
  refused: 'connection refused',
  'timed-out': 'timed out',
  'timed-out-tls': 'timed out in the TLS handshake',
  'tls-failed': 'TLS failed',
  unreachable: 'no route to it',
  'proxy-not-resolved': "the proxy's name not resolved",
  'proxy-failed': 'the proxy refused the tunnel',
  'cannot-tell': 'cannot tell (no curl, openssl, bash or python3 on the host)',
  error: 'cannot tell (the probe failed)',
};

/** The reason in words, with how it was asked: "connection refused (curl, through proxy p:3128)". */
export function describeReach(reach: McsReach): string {
  const how = [
    reach.client !== 'none' ? reach.client : '',
    reach.proxy ? `through proxy ${reach.proxy}` : '',
    reach.from === 'container' ? 'from inside the container' : '',
    reach.from === 'host-fallback' ? 'from the host: the exec prefix cannot run a shell in the container' : '',
  ].filter(Boolean);
  return `${WORDS[reach.reason]}${how.length ? ` (${how.join(', ')})` : ''}`;
}

/** The short form for a table cell: yes, the reason, or cannot tell. */
export function reachCell(reach: McsReach | null | undefined): string {
  if (!reach) return 'not probed';
  if (reach.reachable === 'yes') return reach.reason === 'ok-tcp' ? 'yes (TCP only)' : 'yes';
  return reach.reachable === 'unknown' ? 'cannot tell' : WORDS[reach.reason];
}

/** host:port of an https URL, 443 unless given. */
export function probeTargetOf(url: string, timeoutS: number): ProbeTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : 443,
    timeoutS,
  };
}

const REASONS = new Set<string>(Object.keys(WORDS));

/** Reads the probe's lines: `from …`, maybe `proxy …`, then `probe <client> <reason> …`. */
export function parseProbe(output: string, target: ProbeTarget): McsReach {
  const lines = output.split('\n');
  const value = (word: string) =>
    lines
      .find((l) => l.startsWith(`${word} `))
      ?.slice(word.length + 1)
      .trim();
  const from = value('from');
  const [client = 'none', reasonText = 'error'] = (value('probe') ?? '').split(/\s+/);
  const reason = (REASONS.has(reasonText) ? reasonText : 'error') as ProbeReason;
  const reachable =
    reason === 'ok' || reason === 'ok-tcp' ? 'yes' : reason === 'cannot-tell' || reason === 'error' ? 'unknown' : 'no';
  const proxy = value('proxy');
  return {
    reachable,
    reason,
    endpoint: `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`,
    client,
    ...(proxy ? { proxy } : {}),
    from: from === 'container' || from === 'host-fallback' ? from : 'host',
  };
}

/** The probe as a fact: it never fails the gather; an answer it cannot read is "cannot tell". */
export function mcsProbeFact(
  url: string,
  options: { timeoutS: number; container?: { execPrefix: string } },
): Fact<McsReach> {
  const target = probeTargetOf(url, options.timeoutS);
  return {
    command: mcsProbeCommand(target, options.container),
    parse: (output) => parseProbe(output, target),
  };
}
