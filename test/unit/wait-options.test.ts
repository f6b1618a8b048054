// --wait: options -> WaitConfig, durations, targets, --send escapes, and every conflict.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { parseServices } from '../../src/net/services.js';
import { parseDuration, parseSendData } from '../../src/options/wait.js';
import { configOf, usageFailure } from '../helpers/options.js';

const services = parseServices('redis 6379/tcp\nhttp 80/tcp www\n');
const config = (argv: string[]): Config => configOf(argv, services);
const failure = (argv: string[]): string => usageFailure(argv, services);

describe('--wait -> WaitConfig', () => {
  it('defaults: 60s deadline, 1s interval, no attempt limit, no probe', () => {
    expect(config(['--wait', 'db', '5432'])).toEqual({
      mode: 'wait',
      family: undefined,
      numeric: false,
      verbose: false,
      targets: [{ host: 'db', port: 5432 }],
      timeoutMs: 60_000,
      timeoutText: '60s',
      intervalMs: 1000,
      attemptTimeoutMs: undefined,
      send: undefined,
      expect: undefined,
    });
  });

  it.each([
    [['db', '5432'], [{ host: 'db', port: 5432 }]],
    [['db:5432'], [{ host: 'db', port: 5432 }]],
    [['tcp://db:5432'], [{ host: 'db', port: 5432 }]],
    [['[::1]:80'], [{ host: '::1', port: 80 }]],
    [['::1', '80'], [{ host: '::1', port: 80 }]],
    [['cache:redis'], [{ host: 'cache', port: 6379 }]],
    [
      ['db:5432', 'cache', '6379', '10.0.0.1:www'],
      [
        { host: 'db', port: 5432 },
        { host: 'cache', port: 6379 },
        { host: '10.0.0.1', port: 80 },
      ],
    ],
  ])('targets %j', (operands, targets) => {
    expect(config(['--wait', ...operands])).toMatchObject({ targets });
  });

  it('durations, -w as the limit of one attempt, -4 -n -v', () => {
    expect(
      config(['--wait', '--timeout', '2m', '--interval=250ms', '-w', '3', '-4nv', '127.0.0.1:1']),
    ).toMatchObject({
      timeoutMs: 120_000,
      timeoutText: '2m',
      intervalMs: 250,
      attemptTimeoutMs: 3000,
      family: 4,
      numeric: true,
      verbose: true,
    });
  });

  it('--send escapes and --expect', () => {
    const c = config(['--wait', '--send', 'PING\\r\\n', '--expect', '^\\+PONG', 'cache:6379']);
    expect(c).toMatchObject({ send: Buffer.from('PING\r\n'), expect: /^\+PONG/ });
  });

  it.each([
    ['500ms', 500],
    ['1s', 1000],
    ['2', 2000],
    ['2m', 120_000],
    ['1h', 3_600_000],
  ])('duration %s = %i ms', (text, ms) => {
    expect(parseDuration('--timeout', text)).toBe(ms);
  });

  it('--send: \\xHH, \\0, \\\\ and plain UTF-8', () => {
    expect(parseSendData('a\\x00\\xffé\\\\\\t\\0')).toEqual(
      Buffer.concat([Buffer.from('a'), Buffer.from([0, 255]), Buffer.from('é\\\t\0')]),
    );
  });
});

describe('--wait errors: one line, before any socket exists', () => {
  it.each([
    [['--wait', '-l', '-p', '1'], 'cannot use --wait and -l'],
    [['--wait', '-z', 'h', '1'], 'cannot use --wait and -z'],
    [['--wait', '-u', 'h', '1'], 'cannot use --wait and -u'],
    [['--wait', '-U', '/tmp/s'], 'cannot use --wait and -U'],
    [['--wait', '-e', 'cat', 'h', '1'], 'cannot use --wait and -e'],
    [['--wait', '-x', 'proxy', 'h', '1'], 'cannot use --wait and -x'],
    [['--timeout', '1s', 'h', '1'], 'must use --wait with --timeout'],
    [['--interval', '1s', 'h', '1'], 'must use --wait with --interval'],
    [['--send', 'x', 'h', '1'], 'must use --wait with --send'],
    [['--expect', 'x', 'h', '1'], 'must use --wait with --expect'],
    [['--wait', '--timeout', '0', 'h', '1'], '--timeout duration invalid: 0'],
    [['--wait', '--timeout', '1.5s', 'h', '1'], '--timeout duration invalid: 1.5s'],
    [['--wait', '--interval', '-1s', 'h', '1'], '--interval duration invalid: -1s'],
    [['--wait', '--timeout', '30d', 'h', '1'], '--timeout duration invalid: 30d'],
    [['--wait', '--timeout', '600h', 'h', '1'], '--timeout duration too large: 600h'],
    [['--wait', 'h'], 'missing port number'],
    [['--wait', 'h:99999'], 'port number too large: 99999'],
    [['--wait', '[::1:80'], 'missing closing bracket in target: [::1:80'],
    [['--wait', '--expect', '(', 'h', '1'], '--expect: invalid regular expression: /(/: Unterminated group'],
    [['--wait', '--send', 'a\\q', 'h', '1'], '--send: invalid escape in: a\\q'],
    [['--wait', '-n', 'db:1'], 'getaddrinfo for host "db" port 1: Name or service not known'],
  ])('%j -> %s', (argv, message) => {
    expect(failure(argv)).toBe(message);
  });

  it('no target: the usage', () => {
    expect(failure(['--wait'])).toBe('');
  });
});
