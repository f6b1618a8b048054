import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { WaitConfig, WaitTarget } from '../config.js';
import { errnoText, EXIT, resolveErrorText } from '../errors.js';
import { messages } from '../messages.js';
import { resolveHost, ResolveError } from '../net/resolve.js';
import { systemServices } from '../net/services.js';
import { connectFirst, failureReason, type ConnectFailure } from '../net/tcp.js';
import type { ModeContext } from './session.js';

/** How much of a target's answer --expect looks at: a banner or a reply, not a stream. */
const EXPECT_WINDOW = 64 * 1024;

/**
 * One attempt at a target: ready, or why not (the reason for the final line, and the -v lines:
 * one per address tried, as a plain connect reports them).
 */
type Attempt =
  | { readonly ok: true; readonly address: string; readonly lines: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly lines: readonly string[] };

export const TIMED_OUT = Symbol('timed out');

/** The promise's value, or TIMED_OUT after ms (the promise itself runs on, ignored). */
export const within = <T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> => {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Sleep until performance.now() reaches `time`. Node's timers count whole milliseconds, so by this
 * clock one fires up to about a millisecond early (most of the time, for a fractional delay); a
 * wake just before the deadline would start an attempt with no time left, and its "0 bytes
 * received" would replace the reason the attempts before it found.
 */
export const sleepUntil = async (time: number): Promise<void> => {
  for (let turns = 0; turns < 100 && performance.now() < time; turns += 1)
    await sleep(time - performance.now());
};

/**
 * --send, then --expect, on a connected socket: resolves with undefined when the target passed,
 * else the reason. Without --expect the target passes once --send is handed to the kernel.
 */
const probe = (socket: Socket, config: WaitConfig, ms: number): Promise<string | undefined> =>
  new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (reason: string | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(reason);
    };
    const timer = setTimeout(() => settle(messages.probeNoMatch(received.length)), Math.max(0, ms));
    socket.on('error', (error) => settle(errnoText(error)));
    const { expect } = config;
    if (expect !== undefined) {
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]).subarray(0, EXPECT_WINDOW);
        if (expect.test(received.toString('latin1'))) settle(undefined);
        else if (received.length >= EXPECT_WINDOW) settle(messages.probeNoMatch(received.length));
      });
      socket.on('end', () => settle(messages.probeClosed(received.length)));
    }
    if (config.send !== undefined) {
      socket.write(config.send, (error) => {
        if (error) settle(errnoText(error));
        else if (expect === undefined) settle(undefined);
      });
    } else if (expect === undefined) {
      settle(undefined);
    }
    socket.resume();
  });

/** Resolve, connect and probe once, all within ms. */
const attemptOnce = async (target: WaitTarget, config: WaitConfig, ms: number): Promise<Attempt> => {
  const { host, port } = target;
  const started = performance.now();
  const left = (): number => ms - (performance.now() - started);
  // A name that does not resolve yet (a container not started, a DNS record to come) is a
  // reason to try again, not an error.
  const resolved = await within(
    resolveHost(host, config.family, config.numeric).catch((error: unknown) =>
      error instanceof ResolveError ? error : new ResolveError('EAI_NONAME'),
    ),
    left(),
  );
  if (resolved === TIMED_OUT || resolved instanceof ResolveError) {
    const reason =
      resolved === TIMED_OUT ? 'Temporary failure in name resolution' : resolveErrorText(resolved);
    return { ok: false, reason, lines: [messages.resolveFailed(host, port, reason)] };
  }
  let last: ConnectFailure | undefined;
  const lines: string[] = [];
  const connected = await connectFirst(
    resolved,
    port,
    undefined,
    undefined,
    Math.max(1, left()),
    (failure) => {
      last = failure;
      lines.push(
        messages.connectFailure(host, failure.address, port, 'tcp', failure.timedOut, failureReason(failure)),
      );
    },
  );
  if (connected === undefined || 'bindError' in connected) {
    // The last address's reason ends the line (the -v lines said each one's).
    const reason = failureReason(last);
    if (lines.length === 0)
      lines.push(messages.connectFailure(host, host, port, 'tcp', last?.timedOut ?? false, reason));
    return { ok: false, reason, lines };
  }
  const { socket, address } = connected;
  try {
    const problem = await probe(socket, config, left());
    if (problem === undefined) return { ok: true, address, lines };
    return { ok: false, reason: problem, lines: [...lines, messages.probeFailed(host, port, problem)] };
  } finally {
    socket.destroy();
  }
};

/** Try target every interval until it is ready or the deadline passes; the reason if it never was. */
const waitForTarget = async (
  target: WaitTarget,
  config: WaitConfig,
  ctx: ModeContext,
  deadline: number,
): Promise<string | undefined> => {
  let reason = messages.waitNoAttempt();
  // Bounded twice: by the deadline, and by the number of intervals that fit before it.
  const maxAttempts = Math.ceil(config.timeoutMs / config.intervalMs) + 1;
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const started = performance.now();
    const remaining = deadline - started;
    if (remaining <= 0) break;
    const outcome = await attemptOnce(
      target,
      config,
      Math.min(remaining, config.attemptTimeoutMs ?? remaining),
    );
    if (config.verbose) for (const line of outcome.lines) ctx.warn(line);
    if (outcome.ok) {
      if (config.verbose) {
        const service = config.numeric ? undefined : systemServices().nameOf(target.port, 'tcp');
        ctx.info(messages.connectSucceeded(target.host, outcome.address, target.port, 'tcp', service ?? '*'));
      }
      return undefined;
    }
    reason = outcome.reason;
    await sleepUntil(Math.min(started + config.intervalMs, deadline));
  }
  return reason;
};

/**
 * --wait: every target in parallel, each retried until it accepts a connection (and passes
 * --send/--expect) or the shared deadline passes. Exit 0 when all are ready, else 1 with one
 * line per target that was not.
 */
export const waitMode = async (config: WaitConfig, ctx: ModeContext): Promise<number> => {
  const deadline = performance.now() + config.timeoutMs;
  const reasons = await Promise.all(
    config.targets.map((target) => waitForTarget(target, config, ctx, deadline)),
  );
  let status: number = EXIT.ok;
  for (const [i, reason] of reasons.entries()) {
    const target = config.targets[i];
    if (target !== undefined) ctx.event?.({ event: 'wait', ...target, ready: reason === undefined, reason });
    if (reason === undefined || target === undefined) continue;
    ctx.warn(messages.waitTimedOut(target.host, target.port, config.timeoutText, reason));
    status = EXIT.failure;
  }
  return status;
};
