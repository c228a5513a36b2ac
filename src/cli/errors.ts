/** A user-facing error with the exit status cli.md gives it; printed as one line, never a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const EXIT = {
  ok: 0,
  toolError: 1,
  hostsFailed: 2,
  hostsUnreachable: 3,
  parseError: 4,
  badOptions: 5,
  interrupted: 99,
} as const;
