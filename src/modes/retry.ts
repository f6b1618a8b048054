// --retry DURATION: connect mode for a sender that may start before its listener. Refused
// connections, names that do not resolve yet and missing -U sockets are tried again every
// --interval until one connects or the deadline passes; then the session runs as usual. stdin is
// attached only to the connection that succeeded, so nothing is read (or lost) before it.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { ConnectConfig, RetrySpec } from '../config.js';
import { errnoText, EXIT, resolveErrorText, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import { resolveHost, resolveOrFail, ResolveError } from '../net/resolve.js';
import { connectFirst, failureReason, type ConnectFailure } from '../net/tcp.js';
import { connectedSession, tlsClientFor, unixSession, withStreamOptions } from './connect.js';
import { sessionExitCode, type ModeContext } from './session.js';
import { sleepUntil, TIMED_OUT, within } from './wait.js';

/** One attempt: connected, or why not (the reason for the last line, nc's line for -v). */
type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly line: string };

/** Where the attempts go, as the retry events and the last line name it. */
type Where =
  { readonly host: string; readonly port: number } | { readonly host: string; readonly path: string };

/**
 * Run attempt (given the time left) every interval until it succeeds or the deadline passes.
 * Each failure is a -v line (with --json a retry event); the deadline is --wait's line.
 */
const attempts = async <T>(
  spec: RetrySpec,
  config: ConnectConfig,
  ctx: ModeContext,
  where: Where,
  attempt: (ms: number) => Promise<Outcome<T>>,
): Promise<T | undefined> => {
  const deadline = performance.now() + spec.timeoutMs;
  let reason = messages.waitNoAttempt();
  // Bounded twice: by the deadline, and by the number of intervals that fit before it.
  const maxAttempts = Math.ceil(spec.timeoutMs / spec.intervalMs) + 1;
  for (let n = 1; n <= maxAttempts; n += 1) {
    const started = performance.now();
    const remaining = deadline - started;
    if (remaining <= 0) break;
    const outcome = await attempt(remaining);
    if (outcome.ok) return outcome.value;
    reason = outcome.reason;
    if (ctx.event !== undefined) ctx.event({ event: 'retry', ...where, attempt: n, reason });
    else if (config.verbose) ctx.warn(outcome.line);
    await sleepUntil(Math.min(started + spec.intervalMs, deadline));
  }
  ctx.warn(
    'path' in where
      ? messages.retryTimedOutPath(where.path, spec.timeoutText, reason)
      : messages.waitTimedOut(where.host, where.port, spec.timeoutText, reason),
  );
  return undefined;
};

/** The text of a failed connect, and nc's line for it. */
const connectFailed = (host: string, port: number, failure: ConnectFailure): Outcome<never> => {
  const reason = failureReason(failure);
  return {
    ok: false,
    reason,
    line: messages.connectFailure(host, failure.address, port, 'tcp', failure.timedOut, reason),
  };
};

/** -U: the socket path, until it exists and accepts. */
const retryUnix = async (config: ConnectConfig, spec: RetrySpec, ctx: ModeContext): Promise<number> => {
  const { connectUnix } = await import('../net/unix.js');
  const tls = await tlsClientFor(config, ctx);
  const path = config.host;
  const socket = await attempts<Duplex>(spec, config, ctx, { host: path, path }, async () => {
    try {
      return { ok: true, value: await connectUnix(path) };
    } catch (error) {
      const reason = errnoText(error);
      return { ok: false, reason, line: messages.pathFailed(path, reason) };
    }
  });
  if (socket === undefined) return EXIT.failure;
  return sessionExitCode(await unixSession(config, ctx, tls, socket));
};

/** A bind error (-s/-p): no later attempt can cure it. */
class BindFailure extends Error {}

/** Connect mode with --retry (TCP, through -x, or -U; TLS once connected). */
export const connectRetrying = async (
  config: ConnectConfig,
  spec: RetrySpec,
  ctx: ModeContext,
): Promise<number> => {
  if (config.transport === 'unix') return retryUnix(config, spec, ctx);
  const tls = await tlsClientFor(config, ctx);
  const { host, family, numeric } = config;
  const port = config.ports[0] ?? 0;
  // A -s address that does not resolve is a mistake, not something to wait for.
  const [source] =
    config.sourceAddress === undefined
      ? []
      : await resolveOrFail(config.sourceAddress, 'null', family, numeric);
  const proxy = config.proxy;

  const direct = async (ms: number): Promise<Outcome<{ conn: Socket; address: string }>> => {
    const started = performance.now();
    const resolved = await within(
      resolveHost(host, family, numeric).catch((error: unknown) =>
        error instanceof ResolveError ? error : new ResolveError('EAI_NONAME'),
      ),
      ms,
    );
    if (resolved === TIMED_OUT || resolved instanceof ResolveError) {
      const reason =
        resolved === TIMED_OUT ? 'Temporary failure in name resolution' : resolveErrorText(resolved);
      return { ok: false, reason, line: messages.resolveFailed(host, port, reason) };
    }
    const left = Math.max(1, ms - (performance.now() - started));
    let last: ConnectFailure = { address: host, timedOut: true };
    const connected = await connectFirst(
      resolved,
      port,
      source,
      config.sourcePort,
      Math.min(left, config.connectTimeoutMs ?? left),
      (failure) => {
        last = failure;
      },
    );
    if (connected !== undefined && 'bindError' in connected)
      throw new BindFailure(errnoText(connected.bindError));
    if (connected === undefined) return connectFailed(host, port, last);
    withStreamOptions(connected.socket, config);
    return { ok: true, value: { conn: connected.socket, address: connected.address } };
  };

  const viaProxy = async (ms: number): Promise<Outcome<{ conn: Socket; address: string }>> => {
    if (proxy === undefined) throw new Error('no proxy');
    const { connectViaProxy } = await import('../net/proxy.js');
    let failed: Outcome<never> = { ok: false, reason: 'Connection timed out', line: 'Connection timed out' };
    const attempt = connectViaProxy({ ...config, proxy }, port, {
      connectFailed: (proxyHost, proxyPort, failure) => {
        failed = connectFailed(proxyHost, proxyPort, failure);
      },
      warn: (text) => {
        failed = { ok: false, reason: text, line: text };
      },
      note: (text) => ctx.note(text),
    }).catch((error: unknown) => {
      // The proxy's own name does not resolve (yet): its getaddrinfo line.
      if (!(error instanceof TsncError)) throw error;
      failed = { ok: false, reason: error.message, line: error.message };
      return undefined;
    });
    const conn = await within(attempt, ms);
    if (conn === TIMED_OUT) {
      void attempt.then((late) => late?.destroy());
      return failed;
    }
    if (conn === undefined) return failed;
    withStreamOptions(conn, config);
    return { ok: true, value: { conn, address: host } };
  };

  let opened;
  try {
    opened = await attempts(spec, config, ctx, { host, port }, proxy === undefined ? direct : viaProxy);
  } catch (error) {
    if (!(error instanceof BindFailure)) throw error;
    ctx.warn(messages.bindFailed(error.message));
    return EXIT.failure;
  }
  if (opened === undefined) return EXIT.failure;
  return sessionExitCode(await connectedSession(config, ctx, tls, opened, port));
};
