/** A mistake in how Central is set up for sls-play (environment, URL, credential type): exit 5, before any host is touched. */
export class CentralInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CentralInputError';
  }
}

/**
 * What went wrong talking to Central, already phrased for the user (what, where, what to do).
 * `fatal` errors (credentials refused, no licence or role) end the wait at once; the others
 * (a run that failed or stayed pending, a server or network error after the retries) are tried
 * again at the next poll.
 */
export type CentralErrorKind =
  | 'auth'
  | 'forbidden'
  | 'rate'
  | 'server'
  | 'network'
  | 'protocol'
  | 'run-failed'
  | 'run-pending'
  | 'client';

export class CentralApiError extends Error {
  constructor(
    message: string,
    readonly kind: CentralErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CentralApiError';
  }

  get fatal(): boolean {
    return this.kind === 'auth' || this.kind === 'forbidden' || this.kind === 'client';
  }
}

export const LICENCE_HINT =
  'the tenant needs an XDR or MDR licence for detections, and the API credential a "Service Principal" role that may read them (Sophos Central: Global settings → API Credentials Management)';
