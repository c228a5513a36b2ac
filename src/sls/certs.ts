/**
 * The sensor's CA files: `sophosca<N>.crt` with `sophosca<N>.crl`. Any number of pairs may ship
 * (5.5.2.22 installs two, later releases may add more); one complete pair reaches Central, two or
 * more give fail-over.
 */
import { shellQuote } from '../remote/quote.ts';

export interface CertAnalysis {
  /** Numbers N with both sophosca<N>.crt and sophosca<N>.crl, ascending. */
  pairs: number[];
  /** sophosca files whose partner is missing. */
  orphans: string[];
  status: 'ok' | 'warning' | 'failed';
  message: string;
}

/**
 * Lists the file names in `dir`, one a line. A simple command (no pipe, no `sh -c`), so an exec
 * prefix such as `docker exec sls` can be put in front of it to look inside a container.
 */
export function certListingCommand(dir: string, execPrefix = ''): string {
  const prefix = execPrefix.trim();
  return `${prefix ? `${prefix} ` : ''}ls -1A -- ${shellQuote(dir)}`;
}

// No leading zeros: "sophosca01" is not the partner of "sophosca1".
const CA_FILE = /^sophosca(0|[1-9]\d*)\.(crt|crl)$/;

/** `fileNames` may be bare names or paths (only the last part counts); `dir` is for messages. */
export function analyseCerts(fileNames: readonly string[], dir = 'the certificate directory'): CertAnalysis {
  const found = new Map<number, Set<string>>();
  for (const raw of fileNames) {
    const name = raw.trim().split('/').pop() ?? '';
    const match = CA_FILE.exec(name);
    if (!match) continue;
    const n = Number(match[1]);
    const kinds = found.get(n) ?? new Set<string>();
    kinds.add(match[2] ?? '');
    found.set(n, kinds);
  }
  const numbers = [...found.keys()].sort((a, b) => a - b);
  const pairs = numbers.filter((n) => found.get(n)?.size === 2);
  const orphans = numbers
    .filter((n) => found.get(n)?.size === 1)
    .map((n) => `sophosca${n}.${[...(found.get(n) ?? [])][0]}`);

  const missing = orphans.length
    ? `; ${orphans.map((f) => `${f} has no ${f.endsWith('.crt') ? '.crl' : '.crt'}`).join(', ')}`
    : '';
  const names = pairs.map((n) => `sophosca${n}`).join(', ');

  if (pairs.length === 0) {
    return {
      pairs,
      orphans,
      status: 'failed',
      message:
        `no complete certificate pair (sophosca<N>.crt with sophosca<N>.crl) in ${dir}${missing}: ` +
        'install or upgrade to SLS 5.5.2.22 or later, which ships them ' +
        '(the package in /etc/sophos, the container image in /etc/sophos-certs), or set sls_cert_dir to where they are',
    };
  }
  if (pairs.length === 1) {
    return {
      pairs,
      orphans,
      status: 'warning',
      message:
        `only one certificate pair (${names}) in ${dir}${missing}: ` +
        'alerts reach Sophos Central but without fail-over; reinstall the sensor to restore the second pair',
    };
  }
  return { pairs, orphans, status: 'ok', message: `${pairs.length} certificate pairs (${names}) in ${dir}${missing}` };
}
