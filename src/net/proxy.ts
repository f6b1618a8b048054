import { closeSync, openSync, writeSync } from 'node:fs';
import { isIPv4, isIPv6, type Socket } from 'node:net';
import { ReadStream } from 'node:tty';
import type { Family, ProxySpec, Target } from '../config.js';
import { errnoText, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import { resolveOrFail } from './resolve.js';
import { connectTcp, type ConnectFailure } from './tcp.js';

// The three proxy protocols of nc.openbsd's socks.c (-X 4, -X 5, -X connect), byte for byte.

/** SOCKS5 greeting: version 5, one method, "no authentication" (nc.openbsd offers nothing else). */
export const socks5Greeting = (): Buffer => Buffer.from([5, 1, 0]);

/** SOCKS5 CONNECT: an IPv4 or IPv6 literal as such, anything else as a name for the proxy to resolve. */
export const socks5Request = (host: string, port: number): Buffer => {
  const portBytes = [port >> 8, port & 0xff];
  if (isIPv4(host)) return Buffer.from([5, 1, 0, 1, ...host.split('.').map(Number), ...portBytes]);
  if (isIPv6(host)) return Buffer.from([5, 1, 0, 4, ...ipv6Bytes(host), ...portBytes]);
  const name = Buffer.from(host);
  if (name.length > 255) throw new TsncError(messages.socksHostTooLong());
  return Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from(portBytes)]);
};

/** The 16 bytes of an IPv6 literal. */
const ipv6Bytes = (address: string): number[] => {
  const [head = '', tail = ''] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  let left = groups(head);
  let right = address.includes('::') ? groups(tail) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) is two groups.
  const v4 = (list: string[]): string[] => {
    const last = list[list.length - 1];
    if (last === undefined || !last.includes('.')) return list;
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    return [...list.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  left = v4(left);
  right = v4(right);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
};

/** SOCKS4 CONNECT to an IPv4 address, empty user id. */
export const socks4Request = (address: string, port: number): Buffer =>
  Buffer.from([4, 1, port >> 8, port & 0xff, ...address.split('.').map(Number), 0]);

/** The HTTP CONNECT request head, with Basic credentials when given ("user:password"). */
export const httpConnectRequest = (host: string, port: number, credentials?: string): string => {
  const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const auth =
    credentials === undefined
      ? ''
      : `Proxy-Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`;
  return `CONNECT ${target} HTTP/1.0\r\n${auth}\r\n`;
};

const SOCKS5_ERRORS = [
  'Succeeded',
  'General SOCKS server failure',
  'Connection not allowed by ruleset',
  'Network unreachable',
  'Host unreachable',
  'Connection refused',
  'TTL expired',
  'Command not supported',
  'Address type not supported',
];
const SOCKS4_ERRORS: Readonly<Record<number, string>> = {
  90: 'Succeeded',
  91: 'Request rejected or failed',
  92: 'SOCKS server cannot connect to identd on the client',
  93: 'Client program and identd report different user-ids',
};

/** Text for a SOCKS5 reply code (RFC 1928), as nc.openbsd words it. */
export const socks5ErrorText = (code: number): string => SOCKS5_ERRORS[code] ?? 'Unknown error';
/** Text for a SOCKS4 reply code. */
export const socks4ErrorText = (code: number): string => SOCKS4_ERRORS[code] ?? 'Unknown error';

/**
 * Reads a handshake off a socket without taking a byte more than it returns: whatever arrives
 * after the proxy's reply belongs to the session and is put back with done().
 */
class HandshakeReader {
  private buffered: Buffer = Buffer.alloc(0);
  private ended: unknown = undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended ??= 'end';
    this.wake?.();
  };
  private readonly onError = (error: unknown): void => {
    this.ended = error;
    this.wake?.();
  };

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
  }

  private async waitFor(check: () => boolean): Promise<boolean> {
    while (!check()) {
      if (this.ended !== undefined) return false;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    return true;
  }

  private failure(got: number, wanted: number | string): TsncError {
    const reason = this.ended === 'end' ? 'Connection closed by proxy' : errnoText(this.ended);
    return new TsncError(messages.proxyReadFailed(got, wanted, reason));
  }

  async bytes(n: number): Promise<Buffer> {
    if (!(await this.waitFor(() => this.buffered.length >= n))) throw this.failure(this.buffered.length, n);
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  /** One line without its CR LF (nc.openbsd skips every CR). */
  async line(): Promise<string> {
    const max = 1024;
    const found = await this.waitFor(() => this.buffered.includes(0x0a) || this.buffered.length >= max);
    const lf = this.buffered.indexOf(0x0a);
    if (lf === -1) {
      if (!found) throw this.failure(this.buffered.length, 'line');
      throw new TsncError(messages.proxyReadTooLong());
    }
    const text = this.buffered.subarray(0, lf).toString('latin1').replaceAll('\r', '');
    this.buffered = this.buffered.subarray(lf + 1);
    return text;
  }

  /** Stop reading; bytes past the handshake go back into the socket for the session. */
  done(): void {
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('end', this.onEnd);
    this.socket.removeListener('error', this.onError);
    this.socket.pause();
    if (this.buffered.length > 0) this.socket.unshift(this.buffered);
  }
}

/** readpassphrase(3) with RPP_REQUIRE_TTY: prompt and read on the terminal, without echo. */
const readPassphrase = async (prompt: string): Promise<string> => {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new TsncError(messages.proxyPassphraseUnreadable());
  }
  const input = new ReadStream(fd);
  try {
    // Echo off before the prompt: whoever answers the prompt at once must not see it echoed.
    input.setRawMode(true);
    writeSync(fd, prompt);
    let typed = '';
    for await (const chunk of input as AsyncIterable<Buffer>) {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return typed;
        if (char === '\u0003' || char === '\u0004') throw new TsncError(messages.proxyPassphraseUnreadable());
        typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
      }
    }
    throw new TsncError(messages.proxyPassphraseUnreadable());
  } finally {
    input.setRawMode(false);
    writeSync(fd, '\n');
    input.destroy();
    try {
      closeSync(fd);
    } catch {
      // The stream closed it.
    }
  }
};

const HTTP_MAX_HEADERS = 64;

/** One HTTP CONNECT exchange: 'ok', 'auth' (407 and we may retry), or an error. */
const httpConnect = async (
  reader: HandshakeReader,
  socket: Socket,
  host: string,
  port: number,
  user: string | undefined,
  credentials: string | undefined,
): Promise<'ok' | 'auth'> => {
  if (/[\r\n\t [\]]/.test(host)) throw new TsncError(messages.proxyInvalidHostname());
  socket.write(httpConnectRequest(host, port, credentials));
  const status = await reader.line();
  if (user !== undefined && /^HTTP\/1\.[01] 407 /.test(status)) return 'auth';
  if (!/^HTTP\/1\.[01] 200 /.test(status)) throw new TsncError(messages.proxyError(status));
  for (let i = 0; i < HTTP_MAX_HEADERS; i += 1) {
    if ((await reader.line()) === '') return 'ok';
  }
  throw new TsncError(messages.proxyTooManyHeaders());
};

const socks = async (
  reader: HandshakeReader,
  socket: Socket,
  version: 4 | 5,
  host: string,
  port: number,
  family: Family,
  numeric: boolean,
): Promise<void> => {
  if (version === 5) {
    socket.write(socks5Greeting());
    const [, method] = await reader.bytes(2);
    if (method === 0xff) throw new TsncError(messages.socksNoMethod());
    socket.write(socks5Request(host, port));
    const head = await reader.bytes(4);
    if (head[1] !== 0) throw new TsncError(messages.socks5Failed(socks5ErrorText(head[1] ?? 1)));
    if (head[3] === 1) await reader.bytes(6);
    else if (head[3] === 4) await reader.bytes(18);
    else throw new TsncError(messages.socksAddressType());
    return;
  }
  // SOCKS4 carries an IPv4 address only: the name is resolved here, as nc.openbsd does.
  const [address] = await resolveOrFail(host, port, family === 6 ? 6 : 4, numeric);
  socket.write(socks4Request(address ?? '0.0.0.0', port));
  const reply = await reader.bytes(8);
  if (reply[1] !== 90) throw new TsncError(messages.socks4Failed(socks4ErrorText(reply[1] ?? 91)));
};

/** How reaching the proxy itself went, for -v lines. */
export interface ProxyReport {
  /** The proxy at one of its addresses did not answer: nc's failed-connect line, for proxyHost. */
  connectFailed(proxyHost: string, proxyPort: number, failure: ConnectFailure): void;
  /** An error line to show at once. */
  warn(text: string): void;
  /** A bare line to show at once, -v or not (nc.openbsd's "Proxy authentication failed"). */
  note(text: string): void;
}

/**
 * Connect to host:port through the proxy. Resolves with the socket, ready for the session, or
 * undefined when the proxy could not be reached (reported through report, as a failed connect).
 * A refusal by the proxy is a TsncError with nc.openbsd's words.
 */
export const connectViaProxy = async (
  target: Pick<Target, 'host' | 'family' | 'numeric' | 'connectTimeoutMs'> & { readonly proxy: ProxySpec },
  port: number,
  report: ProxyReport,
): Promise<Socket | undefined> => {
  const { proxy, host } = target;
  const options = { family: target.family, numeric: target.numeric, timeoutMs: target.connectTimeoutMs };
  const addresses = await resolveOrFail(proxy.host, proxy.port, options.family, options.numeric);
  let password: string | undefined;
  for (let attempt = 1; attempt <= 4; attempt += 1) {
    let socket: Socket | undefined;
    for (const address of addresses) {
      const result = await connectTcp(address, proxy.port, undefined, undefined, options.timeoutMs);
      if (result.ok) {
        socket = result.socket;
        break;
      }
      report.connectFailed(proxy.host, proxy.port, {
        address,
        timedOut: result.timedOut,
        error: result.error,
      });
    }
    if (socket === undefined) return undefined;
    const reader = new HandshakeReader(socket);
    try {
      if (proxy.protocol !== 'connect') {
        await socks(
          reader,
          socket,
          proxy.protocol === 'socks4' ? 4 : 5,
          host,
          port,
          options.family,
          options.numeric,
        );
        reader.done();
        return socket;
      }
      const credentials = password === undefined ? undefined : `${proxy.user ?? ''}:${password}`;
      if ((await httpConnect(reader, socket, host, port, proxy.user, credentials)) === 'ok') {
        reader.done();
        return socket;
      }
    } catch (error) {
      socket.destroy();
      throw error;
    }
    // 407 with -P: ask for the password (again) and retry, as nc.openbsd's socks_connect()
    // does: three passwords, each refusal said on stderr without the program's name.
    socket.destroy();
    if (password !== undefined) report.note(messages.proxyAuthFailed());
    if (attempt >= 4) break;
    password = await readPassphrase(messages.proxyPasswordPrompt(proxy.user ?? '', proxy.host));
  }
  throw new TsncError(messages.proxyTooManyAuthFailures());
};
