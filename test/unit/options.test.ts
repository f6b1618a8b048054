import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { parseServices } from '../../src/net/services.js';
import { parseArgs } from '../../src/options/argv.js';
import { resolveConfig } from '../../src/options/resolve.js';
import { configOf, usageFailure } from '../helpers/options.js';

const services = parseServices('http 80/tcp www\nhttp-alt 8080/tcp webcache\n');
const config = (argv: string[]): Config => configOf(argv, services);
const failure = (argv: string[]): string => usageFailure(argv, services);

describe('options -> Config', () => {
  it('connect with defaults', () => {
    expect(config(['db', '5432'])).toEqual({
      mode: 'connect',
      host: 'db',
      ports: [5432],
      sourceAddress: undefined,
      sourcePort: undefined,
      connectTimeoutMs: undefined,
      family: undefined,
      numeric: false,
      verbose: false,
      readStdin: true,
      shutdown: 'auto',
      quitAfterEofMs: undefined,
      idleTimeoutMs: undefined,
      // The transport, proxy, line and exec options, all off by default.
      transport: 'tcp',
      proxy: undefined,
      crlf: false,
      lineDelayMs: undefined,
      telnet: false,
      discardReceived: false,
      socketOptions: { broadcast: false, recvBufferSize: undefined, sendBufferSize: undefined },
      exec: undefined,
    });
  });

  it.each([
    [['-l', '-p', '8001'], { bindAddress: undefined, port: 8001 }],
    [['-l', '8001'], { bindAddress: undefined, port: 8001 }],
    [['-l', '127.0.0.1', '8001'], { bindAddress: '127.0.0.1', port: 8001 }],
    [['-l', '-s', '127.0.0.1', '-p', '8001'], { bindAddress: '127.0.0.1', port: 8001 }],
    [['-l', '-p', '8001', '::1'], { bindAddress: '::1', port: 8001 }],
    [['-l', '-p', '0'], { bindAddress: undefined, port: 0 }],
    [['-lk', '-p', 'http'], { port: 80, keepListening: true }],
  ])('listen %j', (argv, expected) => {
    expect(config(argv)).toMatchObject({ mode: 'listen', ...expected });
  });

  it.each([
    [['-N', 'h', '1'], { shutdown: 'always', quitAfterEofMs: undefined }],
    [['-q', '0', 'h', '1'], { shutdown: 'always', quitAfterEofMs: 0 }],
    [['-q', '3', 'h', '1'], { shutdown: 'always', quitAfterEofMs: 3000 }],
    [['-q', '-1', 'h', '1'], { shutdown: 'auto', quitAfterEofMs: undefined }],
    [['--no-shutdown', 'h', '1'], { shutdown: 'never' }],
    [['-d', 'h', '1'], { readStdin: false }],
    [['-w', '5', 'h', '1'], { connectTimeoutMs: 5000, idleTimeoutMs: 5000 }],
    [['-w', '0', 'h', '1'], { connectTimeoutMs: undefined, idleTimeoutMs: undefined }],
    [['-46', 'h', '1'], { family: 6 }],
    [['-64', 'h', '1'], { family: 4 }],
    [['-vv', 'h', '1'], { verbose: true }],
    [['-n', 'h', '1'], { numeric: true }],
    [['-s', '10.0.0.1', '-p', '4000', 'h', '1'], { sourceAddress: '10.0.0.1', sourcePort: 4000 }],
    [['h', 'http-alt'], { ports: [8080] }],
    [['h', '0080'], { ports: [80] }],
    [['h', '5-3', '9'], { ports: [3, 4, 5, 9] }],
  ])('%j', (argv, expected) => {
    expect(config(argv)).toMatchObject(expected);
  });

  it.each([
    [['h'], 'missing port number'],
    [['-l'], 'missing port number'],
    [['h', '0'], 'port number too small: 0'],
    [['h', '65536'], 'port number too large: 65536'],
    [['h', 'nosuch'], 'port number invalid: nosuch'],
    [['h', '5-3-1'], 'port range not valid: 5-3-1'],
    [['h', '10-'], 'port range not valid: 10-'],
    [['h', ''], 'port number invalid: '],
    [['-l', '-p', '65536'], 'port number too large: 65536'],
    [['-p', 'x', 'h', '1'], 'port number invalid: x'],
    [['-w', '1.5', 'h', '1'], 'timeout invalid: 1.5'],
    [['-w', '2147484', 'h', '1'], 'timeout too large: 2147484'],
    [['-q', '', 'h', '1'], 'quit timer invalid: '],
    [['-q', '9999999999', 'h', '1'], 'quit timer too large: 9999999999'],
    [['-k', 'h', '1'], 'must use -l with -k'],
    [['-l', '1', '2', '3'], 'too many arguments'],
    [['-l', '-s', '127.0.0.1', '::1', '1'], 'cannot use -s and a listen address together'],
  ])('%j -> %s', (argv, message) => {
    expect(failure(argv)).toBe(message);
  });

  it('-h and --version are commands, whatever else is given', () => {
    expect(resolveConfig(parseArgs(['-h', 'junk']), services)).toEqual({ kind: 'help' });
    expect(resolveConfig(parseArgs(['--version']), services)).toEqual({ kind: 'version' });
  });
});
