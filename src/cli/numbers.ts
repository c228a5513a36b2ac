import { CliError, EXIT } from './errors.ts';

export function positiveNumber(value: string, option: string, { integer = false, allowZero = false } = {}): number {
  const n = Number(value);
  const okValue = Number.isFinite(n) && (allowZero ? n >= 0 : n > 0) && (!integer || Number.isInteger(n));
  if (!okValue) {
    throw new CliError(
      `${option} ${value}: expected a ${integer ? 'whole ' : ''}number${allowZero ? ' (0 or more)' : ' above 0'}`,
      EXIT.badOptions,
    );
  }
  return n;
}
