// --wait: its grammar (durations, host:port targets, --send escapes, --expect) and its config.
import { isIP } from 'node:net';
import type { WaitConfig, WaitTarget } from '../config.js';
import { UsageError } from '../errors.js';
import { messages } from '../messages.js';
import { parsePort } from '../net/port.js';
import type { ServiceTable } from '../net/services.js';
import type { RawArgs } from './argv.js';
import { NOT_WITH_WAIT } from './conflicts.js';
import { fail, INT_MAX, integerOption } from './numbers.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** setTimeout's limit: a longer delay fires at once (Node clamps it to 1 ms). */
const MAX_DELAY_MS = 2147483647;

/** `500ms`, `1s`, `2m`, `1h`, or a bare number of seconds, as milliseconds (> 0). */
export const parseDuration = (option: string, text: string): number => {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (match === null) return fail(messages.durationInvalid(option, text));
  const unit = (match[2] ?? 's') as keyof typeof UNIT_MS;
  const value = Number(match[1]) * UNIT_MS[unit];
  if (value === 0) return fail(messages.durationInvalid(option, text));
  if (value > MAX_DELAY_MS) return fail(messages.durationTooLarge(option, text));
  return value;
};

/**
 * The --wait operands: `HOST PORT` pairs and `host:port` words (also `[v6addr]:port` and
 * `tcp://host:port`), in any mix. A word with two colons or more is an IPv6 address whose port
 * is the next word.
 */
export const parseTargets = (operands: readonly string[], services: ServiceTable): WaitTarget[] => {
  const targets: WaitTarget[] = [];
  for (let i = 0; i < operands.length; i += 1) {
    const given = operands[i] ?? '';
    const word = given.replace(/^tcp:\/\//, '').replace(/\/$/, '');
    let host: string;
    let portText: string | undefined;
    if (word.startsWith('[')) {
      const close = word.indexOf(']');
      if (close === -1) return fail(messages.targetMissingBracket(word));
      host = word.slice(1, close);
      const rest = word.slice(close + 1);
      if (rest.startsWith(':')) portText = rest.slice(1);
      else if (rest !== '') return fail(messages.targetMissingBracket(word));
    } else if (word.split(':').length === 2) {
      [host = '', portText] = word.split(':');
    } else {
      host = word;
    }
    if (portText === undefined) {
      i += 1;
      portText = operands[i];
    }
    if (portText === undefined) return fail(messages.missingPort());
    if (host === '') return fail(messages.targetMissingHost(given));
    targets.push({ host, port: parsePort(portText, services) });
  }
  if (targets.length === 0) throw new UsageError('', true);
  return targets;
};

/** A target host that is a name, not an address (so -n cannot reach it). */
const isName = (host: string): boolean => isIP(host) === 0;

const ESCAPES: Readonly<Record<string, string>> = { r: '\r', n: '\n', t: '\t', '0': '\0', '\\': '\\' };

/** --send: the text with \r \n \t \0 \\ and \xHH turned into bytes (Redis wants `PING\r\n`). */
export const parseSendData = (text: string): Buffer => {
  const bytes: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i += 1) {
    const byte = raw[i] ?? 0;
    if (byte !== 0x5c) {
      bytes.push(byte);
      continue;
    }
    const next = String.fromCharCode(raw[i + 1] ?? 0);
    const hex = /^[0-9A-Fa-f]{2}$/.exec(raw.subarray(i + 2, i + 4).toString('latin1'));
    if (next === 'x' && hex !== null) {
      bytes.push(parseInt(hex[0], 16));
      i += 3;
    } else if (ESCAPES[next] !== undefined) {
      bytes.push(ESCAPES[next].charCodeAt(0));
      i += 1;
    } else {
      return fail(messages.sendInvalid(text));
    }
  }
  return Buffer.from(bytes);
};

/** --expect: a regular expression, matched against the bytes received read as latin1. */
export const parseExpect = (text: string): RegExp => {
  try {
    return new RegExp(text);
  } catch (error) {
    // V8's text: "Invalid regular expression: /(/: Unterminated group".
    const reason = (error as Error).message.replace(/^Invalid regular expression: /, '');
    return fail(messages.expectInvalid(reason));
  }
};

/** --wait [--timeout D] [--interval D] [--send DATA] [--expect RE] HOST PORT | host:port ... */
export const waitConfig = (raw: RawArgs, services: ServiceTable): WaitConfig => {
  for (const [option, given] of NOT_WITH_WAIT) if (given(raw)) fail(messages.cannotCombine('--wait', option));
  const waitSeconds = integerOption(raw.wait, 0, Math.floor(INT_MAX / 1000), messages.timeoutInvalid);
  const family = raw.family === '4' ? 4 : raw.family === '6' ? 6 : undefined;
  const timeoutMs = parseDuration('--timeout', raw.waitTimeout ?? '60s');
  // As given, but always with its unit: a bare number is seconds.
  const timeoutText = /^\d+$/.test(raw.waitTimeout ?? '')
    ? `${raw.waitTimeout}s`
    : (raw.waitTimeout ?? '60s');
  const intervalMs = raw.waitInterval === undefined ? 1000 : parseDuration('--interval', raw.waitInterval);
  const targets = parseTargets(raw.operands, services);
  if (raw.numeric) {
    const named = targets.find((target) => isName(target.host));
    if (named !== undefined)
      fail(messages.resolveFailed(named.host, named.port, 'Name or service not known'));
  }
  return {
    mode: 'wait',
    family,
    numeric: raw.numeric,
    verbose: raw.verbose > 0,
    targets,
    timeoutMs,
    timeoutText,
    intervalMs,
    attemptTimeoutMs: waitSeconds === undefined || waitSeconds === 0 ? undefined : waitSeconds * 1000,
    send: raw.probeSend === undefined ? undefined : parseSendData(raw.probeSend),
    expect: raw.probeExpect === undefined ? undefined : parseExpect(raw.probeExpect),
  };
};
