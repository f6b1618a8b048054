// The pure parsing behind --retry, --port-file, --fan-out, -o and --rate, and their conflicts.
// resolve.ts calls extraOptions() before it builds the config: every check here runs before
// any socket exists. The paths are checked on disk later (checkExtraPaths, still before a socket).
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FanSpec, RetrySpec } from '../config.js';
import { errnoText, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import { fail } from './numbers.js';
import { parseDuration } from './wait.js';

/** The part of the raw arguments these options look at. */
export interface ExtraArgs {
  readonly retry?: string;
  readonly waitInterval?: string;
  readonly portFile?: string;
  readonly fanOut: boolean;
  readonly fanOutLimit?: string;
  readonly output?: string;
  readonly rate?: string;
  readonly listen: boolean;
  readonly keep: boolean;
  readonly scan: boolean;
  readonly udp: boolean;
  readonly unix: boolean;
  readonly noStdin: boolean;
  readonly recvOnly: boolean;
  readonly exec?: string;
  readonly shellCommand?: string;
  readonly serveFile?: string;
  readonly operands: readonly string[];
  readonly port?: string;
}

const UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;
/** Node's largest safe integer would do; a rate or size past 1 TiB is a typo. */
const MAX_BYTES = 1024 ** 4;

/**
 * `512K`, `10M`, `1G`, `1.5M` or a bare number of bytes (K, M, G: 1024 multiples, as pv -L;
 * a trailing `B`, `iB` or `/s` is allowed): the whole number of bytes, or why not.
 */
export const parseByteCount = (text: string): number | 'invalid' | 'too small' | 'too large' => {
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?$/i.exec(text);
  if (match === null) return 'invalid';
  const unit = (match[2] ?? '').toLowerCase() as keyof typeof UNITS;
  const value = Math.floor(Number(match[1]) * UNITS[unit]);
  if (value < 1) return 'too small';
  if (value > MAX_BYTES) return 'too large';
  return value;
};

const byteCount = (text: string, error: (problem: string, text: string) => string): number => {
  const value = parseByteCount(text);
  return typeof value === 'string' ? fail(error(value, text)) : value;
};

/** -o's template: %n, %a and %% only; the text of the error otherwise. */
export const templateProblem = (template: string): string | undefined => {
  if (template === '') return messages.pathFailed('-o', 'missing file name');
  for (const match of template.matchAll(/%(.?)/g)) {
    if (!['n', 'a', '%'].includes(match[1] ?? '')) return messages.templateInvalid(match[0], template);
  }
  return undefined;
};

/** The file name -o makes for connection n from the peer address (`::ffff:` dropped). */
export const expandTemplate = (template: string, n: number, address: string): string =>
  template.replace(/%([na%])/g, (_, code: string) =>
    code === 'n' ? String(n) : code === 'a' ? address.replace(/^::ffff:(?=\d+\.)/i, '') : '%',
  );

/** The fan-out limit when --fan-out-limit is not given. */
export const DEFAULT_LAG_LIMIT = '4M';

export interface Extras {
  readonly retry: RetrySpec | undefined;
  readonly portFile: string | undefined;
  readonly fan: FanSpec | undefined;
  readonly rateBytesPerSecond: number | undefined;
}

/** Give --retry, --port-file, --fan-out, --fan-out-limit, -o and --rate their meaning (not --wait). */
export const extraOptions = (raw: ExtraArgs): Extras => {
  const exec = raw.exec !== undefined ? '-e' : raw.shellCommand !== undefined ? '-c' : undefined;

  let retry: RetrySpec | undefined;
  if (raw.retry !== undefined) {
    for (const [other, given] of [
      ['-l', raw.listen],
      ['-z', raw.scan],
      ['-u', raw.udp],
    ] as const) {
      if (given) fail(messages.cannotCombine('--retry', other));
    }
    const ports = raw.operands.slice(1);
    if (ports.length > 1 || ports.some((port) => port.includes('-')))
      fail(messages.cannotCombine('--retry', 'a port list'));
    retry = {
      timeoutMs: parseDuration('--retry', raw.retry),
      timeoutText: raw.retry,
      intervalMs: raw.waitInterval === undefined ? 1000 : parseDuration('--interval', raw.waitInterval),
    };
  }

  if (raw.portFile !== undefined) {
    if (!raw.listen) fail(messages.needsListen('--port-file'));
    if (raw.unix) fail(messages.cannotCombine('--port-file', '-U'));
    if (raw.portFile === '') fail(messages.pathFailed('--port-file', 'missing file name'));
  }

  if (raw.fanOutLimit !== undefined && !raw.fanOut)
    fail(messages.needsOption('--fan-out', '--fan-out-limit'));
  let fan: FanSpec | undefined;
  for (const [option, given] of [
    ['--fan-out', raw.fanOut],
    ['-o', raw.output !== undefined],
  ] as const) {
    if (!given) continue;
    if (!raw.listen) fail(messages.needsListen(option));
    if (!raw.keep) fail(messages.needsOption('-k', option));
    if (exec !== undefined) fail(messages.cannotCombine(option, exec));
    if (raw.serveFile !== undefined) fail(messages.cannotCombine(option, '--serve'));
    if (raw.udp) fail(messages.cannotCombine(option, '-u'));
  }
  if (raw.output !== undefined) {
    const problem = templateProblem(raw.output);
    if (problem !== undefined) fail(problem);
  }
  if (raw.fanOut || raw.output !== undefined) {
    const lagLimitText = raw.fanOutLimit ?? DEFAULT_LAG_LIMIT;
    fan = {
      fanOut: raw.fanOut,
      lagLimitBytes: byteCount(lagLimitText, messages.fanOutLimitInvalid),
      lagLimitText,
      output: raw.output,
    };
  }

  let rateBytesPerSecond: number | undefined;
  if (raw.rate !== undefined) {
    rateBytesPerSecond = byteCount(raw.rate, messages.rateInvalid);
    for (const [other, given] of [
      ['-z', raw.scan],
      ['-e', raw.exec !== undefined],
      ['-c', raw.shellCommand !== undefined],
      ['--serve', raw.serveFile !== undefined],
      ['-d', raw.noStdin],
      ['--recv-only', raw.recvOnly],
      ['-o', raw.output !== undefined && !raw.fanOut],
    ] as const) {
      if (given) fail(messages.cannotCombine('--rate', other));
    }
  }
  return { retry, portFile: raw.portFile, fan, rateBytesPerSecond };
};

/** A directory that must exist for a file to be made in it (a template's % part not yet known). */
const checkDirectory = (option: string, file: string): void => {
  const dir = dirname(file);
  if (dir.includes('%')) return;
  try {
    if (!statSync(dir).isDirectory())
      throw new TsncError(messages.pathFailed(`${option} ${file}`, 'Not a directory'));
  } catch (error) {
    if (error instanceof TsncError) throw error;
    throw new TsncError(messages.pathFailed(`${option} ${file}`, errnoText(error)));
  }
};

/** --port-file and -o: their directories exist (checked before anything listens). */
export const checkExtraPaths = (config: { readonly portFile?: string; readonly fan?: FanSpec }): void => {
  if (config.portFile !== undefined) checkDirectory('--port-file', config.portFile);
  if (config.fan?.output !== undefined) checkDirectory('-o', config.fan.output);
};
