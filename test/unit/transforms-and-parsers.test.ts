// The pure parts behind -C, -t, -i, -e, --allow, -T, -x and -z: byte transforms, argument and address parsing, proxy requests, and
// the order of scan results.
import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/options/exec.js';
import { toCrlf } from '../../src/io/crlf.js';
import { firstLine } from '../../src/io/line-delay.js';
import { telnetAnswerer } from '../../src/io/telnet.js';
import { inOrder } from '../../src/modes/scan.js';
import { parseAddressSpec, splitAddressList } from '../../src/net/address-spec.js';
import {
  httpConnectRequest,
  socks4Request,
  socks5ErrorText,
  socks5Greeting,
  socks5Request,
} from '../../src/net/proxy.js';
import { parseTos } from '../../src/net/tos.js';

describe('-C: LF -> CRLF (crlf.ts)', () => {
  it.each([
    ['a\nb\r\nc', false, 'a\r\nb\r\nc'],
    ['\n\n', false, '\r\n\r\n'],
    ['\r\n', false, '\r\n'],
    ['\n', true, '\n'], // the CR ended the previous chunk
    ['\n', false, '\r\n'],
    ['no newline', false, 'no newline'],
    ['', false, ''],
  ])('%j (after CR: %s) -> %j', (input, afterCr, output) => {
    expect(toCrlf(Buffer.from(input), afterCr).toString()).toBe(output);
  });
});

describe('-t: telnet refusals (telnet.ts)', () => {
  const IAC = 255;
  it('WILL -> DONT, DO -> WONT, WONT -> DONT, DONT -> WONT; data is ignored', () => {
    const answer = telnetAnswerer();
    const reply = answer(Buffer.from([0x41, IAC, 251, 1, IAC, 253, 24, IAC, 252, 3, IAC, 254, 31, 0x42]));
    expect([...(reply ?? [])]).toEqual([IAC, 254, 1, IAC, 252, 24, IAC, 254, 3, IAC, 252, 31]);
    expect(answer(Buffer.from('plain text'))).toBeUndefined();
    expect(answer(Buffer.from([IAC, IAC, 0x41]))).toBeUndefined();
  });

  it('a command split between reads is answered once it is complete', () => {
    const answer = telnetAnswerer();
    expect(answer(Buffer.from([IAC]))).toBeUndefined();
    expect(answer(Buffer.from([253]))).toBeUndefined();
    expect([...(answer(Buffer.from([1, 0x41])) ?? [])]).toEqual([IAC, 252, 1]);
  });
});

describe('-i: lines (line-delay.ts)', () => {
  it.each([
    ['a\nb\n', false, 'a\n', 'b\n'],
    ['partial', false, undefined, undefined],
    ['partial', true, 'partial', ''],
    ['', true, undefined, undefined],
  ])('%j (final %s)', (input, final, line, rest) => {
    const split = firstLine(Buffer.from(input), final);
    expect(split?.[0].toString()).toBe(line);
    expect(split?.[1].toString()).toBe(rest);
  });

  it('a line without LF is cut at 16 KiB', () => {
    expect(firstLine(Buffer.alloc(20000, 0x41), false)?.[0].length).toBe(16384);
  });
});

describe('-e: argument splitting, no shell (options/exec.ts)', () => {
  it.each([
    ['/bin/echo bye', ['/bin/echo', 'bye']],
    ['  cat  ', ['cat']],
    ["printf '%s\\n' 'a b'", ['printf', '%s\\n', 'a b']],
    ['echo "x $HOME" \\; `id`', ['echo', 'x $HOME', ';', '`id`']],
    ['a""b', ['ab']],
    ["''", ['']],
    ['', []],
  ])('%j', (text, words) => {
    expect(splitCommandLine(text)).toEqual(words);
  });

  it('an unbalanced quote is refused', () => {
    expect(splitCommandLine("echo 'oops")).toBeUndefined();
  });
});

describe('--allow/--deny entries (address-spec.ts)', () => {
  it.each([
    ['10.0.0.1', { kind: 'address', family: 4 }],
    ['10.0.0.0/8', { kind: 'network', prefix: 8, family: 4 }],
    ['0.0.0.0/0', { kind: 'network', prefix: 0 }],
    ['::1', { kind: 'address', family: 6 }],
    ['fd00::/8', { kind: 'network', prefix: 8, family: 6 }],
    ['localhost', { kind: 'name', name: 'localhost' }],
    ['db-1.example.org', { kind: 'name' }],
  ])('%s', (text, expected) => {
    expect(parseAddressSpec(text)).toMatchObject(expected);
  });

  it.each([
    '300.1.1.1/40',
    '10.0.0.0/33',
    '::1/129',
    '300.1.1.1',
    '1.2.3',
    '10.0.0.0/',
    '10.0.0.0/x',
    '-bad',
    'a_b',
  ])('%s is refused (never looked up as a name)', (text) => {
    expect(parseAddressSpec(text)).toBeUndefined();
  });

  it('lists split on commas, spaces and lines; # starts a comment', () => {
    expect(splitAddressList('10.0.0.1,10.0.0.2 ::1\n# all of these\n127.0.0.0/8 # loopback\n')).toEqual([
      '10.0.0.1',
      '10.0.0.2',
      '::1',
      '127.0.0.0/8',
    ]);
  });
});

describe('-T values (tos.ts)', () => {
  it.each([
    ['lowdelay', 0x10],
    ['throughput', 0x08],
    ['af11', 0x28],
    ['ef', 0xb8],
    ['cs7', 0xe0],
    ['0x10', 0x10],
    ['255', 255],
  ])('%s -> %i', (text, value) => {
    expect(parseTos(text)).toBe(value);
  });

  it.each(['cs8', '256', '0x100', 'bogus', '-1'])('%s is illegal', (text) => {
    expect(parseTos(text)).toBeUndefined();
  });
});

describe('proxy requests (proxy.ts), as nc.openbsd sends them', () => {
  it('SOCKS5 greeting offers "no authentication" only', () => {
    expect([...socks5Greeting()]).toEqual([5, 1, 0]);
  });

  it('SOCKS5 CONNECT by IPv4, IPv6 and name', () => {
    expect([...socks5Request('127.0.0.1', 8080)]).toEqual([5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]);
    expect([...socks5Request('::1', 22)]).toEqual([5, 1, 0, 4, ...Array<number>(15).fill(0), 1, 0, 22]);
    expect([...socks5Request('2001:db8::ff00:42:8329', 1)].slice(4, 20)).toEqual([
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0xff, 0x00, 0x00, 0x42, 0x83, 0x29,
    ]);
    expect([...socks5Request('db', 5432)]).toEqual([5, 1, 0, 3, 2, 0x64, 0x62, 0x15, 0x38]);
  });

  it('SOCKS4 CONNECT: IPv4 and an empty user id', () => {
    expect([...socks4Request('10.1.2.3', 443)]).toEqual([4, 1, 1, 0xbb, 10, 1, 2, 3, 0]);
  });

  it('HTTP CONNECT, with Basic credentials after a 407', () => {
    expect(httpConnectRequest('db', 5432)).toBe('CONNECT db:5432 HTTP/1.0\r\n\r\n');
    expect(httpConnectRequest('::1', 22)).toBe('CONNECT [::1]:22 HTTP/1.0\r\n\r\n');
    expect(httpConnectRequest('db', 1, 'u:p')).toBe(
      'CONNECT db:1 HTTP/1.0\r\nProxy-Authorization: Basic dTpw\r\n\r\n',
    );
  });

  it('SOCKS5 reply codes in words', () => {
    expect(socks5ErrorText(5)).toBe('Connection refused');
    expect(socks5ErrorText(99)).toBe('Unknown error');
  });
});

describe('-z: results in order whatever order the probes finish in (scan.ts)', () => {
  it('reports by index, never more than the limit at once', async () => {
    const delays = [50, 5, 30, 0, 20, 10, 40, 1];
    let running = 0;
    let most = 0;
    const reported: number[] = [];
    await inOrder(
      delays.length,
      3,
      async (i) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, delays[i]));
        running -= 1;
        return i * 10;
      },
      (result, i) => reported.push(result + i),
    );
    expect(reported).toEqual([0, 11, 22, 33, 44, 55, 66, 77]);
    expect(most).toBe(3);
  });

  it('starts nothing new once told to stop', async () => {
    const started: number[] = [];
    await inOrder(
      10,
      1,
      (i) => {
        started.push(i);
        return Promise.resolve(i);
      },
      () => undefined,
      () => started.length >= 4,
    );
    expect(started).toEqual([0, 1, 2, 3]);
  });
});
