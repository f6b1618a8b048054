// -z, -u, -U, -I/-O, -T, -C, -i, -t, -e/-c, -m, --send-only/--recv-only and -x/-X -> Config, and
// every bad value: one message, found before any socket exists.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { parseServices } from '../../src/net/services.js';
import { configOf, usageFailure } from '../helpers/options.js';

const services = parseServices('http 80/tcp www\nhttp 80/udp\ndomain 53/udp\n');
const config = (argv: string[]): Config => configOf(argv, services);
const failure = (argv: string[]): string => usageFailure(argv, services);

describe('scan, transport, socket, line, exec and proxy options -> Config', () => {
  it.each([
    [['-z', 'h', '20-22', '80'], { mode: 'scan', transport: 'tcp', ports: [20, 21, 22, 80] }],
    [['-z', 'h', '22-20'], { mode: 'scan', ports: [20, 21, 22] }],
    [
      ['-zu', '-w', '1', 'h', 'domain'],
      { mode: 'scan', transport: 'udp', ports: [53], connectTimeoutMs: 1000 },
    ],
    [['-zU', '/run/x.sock'], { mode: 'scan', transport: 'unix', host: '/run/x.sock' }],
    [['-u', 'h', '53'], { mode: 'connect', transport: 'udp', ports: [53] }],
    [['-lu', '-p', '53'], { mode: 'listen', transport: 'udp', port: 53 }],
    [['-U', '/tmp/s'], { mode: 'connect', transport: 'unix', host: '/tmp/s', ports: [] }],
    [['-lU', '@abstract'], { mode: 'listen', transport: 'unix', bindAddress: '@abstract' }],
    [['-lUu', '/tmp/d'], { mode: 'listen', transport: 'unix-dgram', bindAddress: '/tmp/d' }],
    [
      ['-Uu', '/tmp/d'],
      { mode: 'connect', transport: 'unix-dgram', host: '/tmp/d', sourceAddress: undefined },
    ],
    [['-Uu', '-s', '@me', '/tmp/d'], { mode: 'connect', transport: 'unix-dgram', sourceAddress: '@me' }],
    [['-zUu', '/tmp/d'], { mode: 'scan', transport: 'unix-dgram', host: '/tmp/d' }],
    [
      ['-I', '4096', '-O', '8192', 'h', '1'],
      { socketOptions: { broadcast: false, recvBufferSize: 4096, sendBufferSize: 8192 } },
    ],
    [
      ['-T', 'lowdelay', 'h', '1'],
      {
        socketOptions: { broadcast: false, recvBufferSize: undefined, sendBufferSize: undefined, tos: 0x10 },
      },
    ],
    [
      ['-u', '-T', '0x2a', 'h', '1'],
      {
        socketOptions: { broadcast: false, recvBufferSize: undefined, sendBufferSize: undefined, tos: 0x2a },
      },
    ],
    [['-C', '-i', '2', '-t', 'h', '1'], { crlf: true, lineDelayMs: 2000, telnet: true }],
    [['-i', '0', 'h', '1'], { lineDelayMs: undefined }],
    [
      ['-ub', '-I', '4096', '-O', '8192', 'h', '1'],
      { socketOptions: { broadcast: true, recvBufferSize: 4096, sendBufferSize: 8192 } },
    ],
    [['-e', '/bin/cat -n', 'h', '1'], { exec: { file: '/bin/cat', args: ['-n'] } }],
    [['--exec=/bin/cat', 'h', '1'], { exec: { file: '/bin/cat', args: [] } }],
    [['-c', 'echo $HOME | wc', 'h', '1'], { exec: { file: '/bin/sh', args: ['-c', 'echo $HOME | wc'] } }],
    [['-lk', '-e', 'cat', '-m', '3', '-p', '1'], { keepListening: true, maxConnections: 3 }],
    [['-l', '-p', '1'], { maxConnections: 100, access: undefined }],
    [
      [
        '-l',
        '--allow',
        '10.0.0.0/8,::1',
        '--allow',
        'localhost',
        '--deny',
        '10.0.0.9',
        '--denyfile',
        'f',
        '-p',
        '1',
      ],
      {
        access: {
          allow: ['10.0.0.0/8', '::1', 'localhost'],
          deny: ['10.0.0.9'],
          allowFiles: [],
          denyFiles: ['f'],
        },
      },
    ],
    [['--recv-only', 'h', '1'], { readStdin: false }],
    [['--send-only', 'h', '1'], { shutdown: 'always', quitAfterEofMs: undefined, discardReceived: true }],
    [['--send-only', '-q', '3', 'h', '1'], { quitAfterEofMs: 3000 }],
    [
      ['-x', '127.0.0.1', 'h', '1'],
      { proxy: { protocol: 'socks5', host: '127.0.0.1', port: 1080, user: undefined } },
    ],
    [['-X', 'connect', '-x', 'proxy', 'h', '1'], { proxy: { protocol: 'connect', port: 3128 } }],
    [
      ['-X', 'CONNECT', '-x', 'proxy:8080', '-P', 'me', 'h', '1'],
      { proxy: { protocol: 'connect', port: 8080, user: 'me' } },
    ],
    [['-X4', '-x', '[::1]:1081', 'h', '1'], { proxy: { protocol: 'socks4', host: '::1', port: 1081 } }],
    [['-x', '[::1]', 'h', '1'], { proxy: { host: '::1', port: 1080 } }],
  ])('%j', (argv, expected) => {
    expect(config(argv)).toMatchObject(expected);
  });

  it('-r shuffles each range (and keeps every port once)', () => {
    const orders = new Set<string>();
    for (let i = 0; i < 20; i += 1) {
      const ports = (config(['-z', '-r', 'h', '1-20']) as { ports: readonly number[] }).ports;
      expect([...ports].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
      orders.add(ports.join(','));
    }
    expect(orders.size).toBeGreaterThan(1);
  });
});

describe('bad values of those options: one message each', () => {
  it.each([
    [['-z', '-l', '-p', '1'], 'cannot use -z and -l'],
    [['-U', '/tmp/s', '80'], 'cannot use port with -U'],
    [['-U', '-p', '80', '/tmp/s'], 'cannot use port with -U'],
    [['-lU'], 'missing socket pathname'],
    [['-lUu', '-s', '/tmp/me', '/tmp/s'], 'cannot use -s and -U'],
    [['-U', '-s', '/tmp/me', '/tmp/s'], 'cannot use -s and -U'],
    [['-x', 'p', '-X', '6', 'h', '1'], 'unsupported proxy protocol'],
    [['-x', 'p:', 'h', '1'], 'port number invalid: '],
    [['-x', 'p:99999', 'h', '1'], 'port number too large: 99999'],
    [['-x', '[::1', 'h', '1'], 'missing closing bracket in proxy'],
    [['-x', '[::1]1080', 'h', '1'], 'garbage proxy port delimiter'],
    [['-u', '-x', 'p', 'h', '1'], 'no proxy support for UDP mode'],
    [['-l', '-x', 'p', '-p', '1'], 'no proxy support for listen'],
    [['-s', '127.0.0.1', '-x', 'p', 'h', '1'], 'no proxy support for local source address'],
    [['-e', '', 'h', '1'], '-e: missing program name'],
    [['-e', '   ', 'h', '1'], '-e: missing program name'],
    [['-c', '', 'h', '1'], '-c: missing program name'],
    [['-e', "echo 'x", 'h', '1'], "-e: unbalanced quote: echo 'x"],
    [['-e', 'cat', '-c', 'cat', 'h', '1'], 'cannot use -e and -c'],
    [['-z', '-e', 'cat', 'h', '1'], 'cannot use -z and -e'],
    [['-l', '--allow', '300.1.1.1/40', '-p', '1'], '--allow: invalid address or network: 300.1.1.1/40'],
    [['-l', '--deny', '10.0.0.0/33', '-p', '1'], '--deny: invalid address or network: 10.0.0.0/33'],
    [['--allow', '10.0.0.1', 'h', '1'], 'must use -l with --allow'],
    [['--denyfile', 'f', 'h', '1'], 'must use -l with --denyfile'],
    [['-lU', '--allow', '::1', '/tmp/s'], 'cannot use --allow and -U'],
    [
      ['-ln', '--allow', 'localhost', '-p', '1'],
      'getaddrinfo for host "localhost" port null: Name or service not known',
    ],
    [['-m', '2', 'h', '1'], 'must use -l with -m'],
    [['-l', '-m', '0', '-p', '1'], 'max connections too small: 0'],
    [['-l', '-m', 'x', '-p', '1'], 'max connections invalid: x'],
    [['-i', 'abc', 'h', '1'], 'interval invalid: abc'],
    [['-i', '-1', 'h', '1'], 'interval too small: -1'],
    [['-I', 'abc', 'h', '1'], 'TCP receive window invalid: abc'],
    [['-I', '0', 'h', '1'], 'TCP receive window too small: 0'],
    [['-O', '-5', 'h', '1'], 'TCP send window too small: -5'],
    [['-u', '-I', '100000000000', 'h', '1'], 'TCP receive window too large: 100000000000'],
    [['-T', 'cs8', 'h', '1'], 'illegal tos value cs8'],
    [['-T', '300', 'h', '1'], 'illegal tos value 300'],
    [['--send-only', '--recv-only', 'h', '1'], 'cannot use --send-only and --recv-only'],
    [['--send-only', '--no-shutdown', 'h', '1'], 'cannot use --send-only and --no-shutdown'],
  ])('%j -> %s', (argv, message) => {
    expect(failure(argv)).toBe(message);
  });
});
