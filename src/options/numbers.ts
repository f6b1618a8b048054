// The numbers of the command line as nc.openbsd reads them: strtonum(3) and its bounds.
import { UsageError } from '../errors.js';

export const INT_MAX = 2147483647;
export const INT_MIN = -2147483648;
/** Node's timers hold at most 2^31-1 ms (24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** nc.openbsd's bound for -I and -O. */
export const MAX_WINDOW = 65536 << 14;

/** A command-line error: one line, no usage after it. */
export const fail = (message: string): never => {
  throw new UsageError(message, false);
};

/** strtonum(3) as nc uses it: an integer in [min, max], else "invalid" / "too small" / "too large". */
const strtonum = (text: string, min: number, max: number): number | string => {
  if (!/^-?\d+$/.test(text)) return 'invalid';
  const value = Number(text);
  if (value < min) return 'too small';
  if (value > max) return 'too large';
  return value;
};

/** An integer option (-w, -q, -i, -m, --count, -I, -O) in [min, max], or nc's error for it. */
export const integerOption = (
  text: string | undefined,
  min: number,
  max: number,
  error: (problem: string, text: string) => string,
): number | undefined => {
  if (text === undefined) return undefined;
  const value = strtonum(text, min, max);
  if (typeof value === 'string') throw new UsageError(error(value, text), false);
  return value;
};
