import { Socket } from 'node:net';
import type { ScanConfig, SocketOptions } from '../config.js';
import { errnoText, EXIT, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import { resolveTarget } from '../net/resolve.js';
import { systemServices } from '../net/services.js';
import { connectFirst, type ConnectFailure } from '../net/tcp.js';
import type { ModeContext } from './session.js';

/** Probes in flight at once: a host that drops packets costs seconds, not one timeout per port. */
export const SCAN_CONCURRENCY = 64;
/** nc.openbsd (Debian) waits this long for an ICMP error before calling a UDP port open. */
const UDP_WAIT_MS = 3000;

/** One port's result: open, or the lines to print about the failure (-v), in order. */
interface Outcome {
  readonly open: boolean;
  /** -v lines for this port (failures are warnings, prefixed; success is a bare line). */
  readonly lines: readonly { readonly warn: boolean; readonly text: string }[];
  /** A failure that ends the whole scan (a bad -s, say), as nc exits on it. */
  readonly fatal?: string;
  /** --json: the address that answered. */
  readonly address?: string;
}

const NO_OPTIONS: SocketOptions = { broadcast: false, recvBufferSize: undefined, sendBufferSize: undefined };

/**
 * Run probe(i) for every i, at most `limit` at once, and hand each result to report() in index
 * order, as soon as it and every earlier one are known. Stops starting new probes once stop()
 * says so.
 */
export const inOrder = async <T>(
  count: number,
  limit: number,
  probe: (index: number) => Promise<T>,
  report: (result: T, index: number) => void,
  stop: () => boolean = () => false,
): Promise<void> => {
  const results = new Map<number, T>();
  let nextToStart = 0;
  let nextToReport = 0;
  const flush = (): void => {
    while (results.has(nextToReport)) {
      report(results.get(nextToReport) as T, nextToReport);
      results.delete(nextToReport);
      nextToReport += 1;
    }
  };
  const worker = async (): Promise<void> => {
    while (nextToStart < count && !stop()) {
      const index = nextToStart;
      nextToStart += 1;
      results.set(index, await probe(index));
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
};

/**
 * The common scan - TCP to one address, nothing to print, no -s/-p - with callbacks only: no
 * promise, result or Error stack per port, which are most of what a refused port costs (a
 * scan of 1,000 closed ports: bench/PROFILE.md §4). Resolves whether any port accepted.
 */
const anyPortOpen = (
  address: string,
  ports: readonly number[],
  timeoutMs: number | undefined,
): Promise<boolean> =>
  new Promise((resolve) => {
    let next = 0;
    let inFlight = 0;
    let open = false;
    const startProbes = (): void => {
      while (inFlight < SCAN_CONCURRENCY && next < ports.length) {
        const port = ports[next] ?? 0;
        next += 1;
        inFlight += 1;
        const socket = new Socket();
        let settled = false;
        const done = (connected: boolean): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          socket.destroy();
          open ||= connected;
          inFlight -= 1;
          if (next < ports.length) startProbes();
          else if (inFlight === 0) resolve(open);
        };
        const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
        socket.connect({ host: address, port });
      }
    };
    if (ports.length === 0) resolve(false);
    else startProbes();
  });

/** -z: probe every port, report in order, exit 0 if any port is open (nc.openbsd). */
export const scanMode = async (config: ScanConfig, ctx: ModeContext): Promise<number> => {
  // The Errors of refused ports are never shown; capturing their stacks is most of their cost.
  Error.stackTraceLimit = 0;
  const proto = config.transport === 'udp' ? 'udp' : 'tcp';
  const succeeded = (port: number, address: string): Outcome => {
    const service = config.numeric ? undefined : systemServices().nameOf(port, proto);
    return {
      open: true,
      address,
      lines: [
        { warn: false, text: messages.connectSucceeded(config.host, address, port, proto, service ?? '*') },
      ],
    };
  };

  if (config.transport === 'unix-dgram') {
    // -U -u -z: open if a datagram socket is bound at the path (connect() says so; nothing is sent).
    const { UnixDatagramSocket } = await import('../net/unix-dgram.js');
    const socket = UnixDatagramSocket.open();
    try {
      socket.connectPath(config.host);
      return EXIT.ok;
    } catch (error) {
      ctx.warn(messages.pathFailed(config.host, errnoText(error)));
      return EXIT.failure;
    } finally {
      socket.close();
    }
  }

  if (config.transport === 'unix') {
    const { connectUnix } = await import('../net/unix.js');
    try {
      (await connectUnix(config.host)).destroy();
      return EXIT.ok;
    } catch (error) {
      if (error instanceof TsncError) throw error; // no addon for an abstract name
      ctx.warn(messages.pathFailed(config.host, errnoText(error)));
      return EXIT.failure;
    }
  }

  const { addresses, sourceAddress } = await resolveTarget(config);
  const [onlyAddress] = addresses;
  if (
    config.transport === 'tcp' &&
    config.proxy === undefined &&
    !config.verbose &&
    addresses.length === 1 &&
    onlyAddress !== undefined &&
    sourceAddress === undefined &&
    config.sourcePort === undefined
  ) {
    return (await anyPortOpen(onlyAddress, config.ports, config.connectTimeoutMs)) ? EXIT.ok : EXIT.failure;
  }
  const failureLine = (host: string, port: number, failure: ConnectFailure) => ({
    warn: true,
    text: messages.connectFailure(
      host,
      failure.address,
      port,
      'tcp',
      failure.timedOut,
      errnoText(failure.error),
    ),
  });

  const probeTcp = async (port: number): Promise<Outcome> => {
    const lines: { warn: boolean; text: string }[] = [];
    const result = await connectFirst(
      addresses,
      port,
      sourceAddress,
      config.sourcePort,
      config.connectTimeoutMs,
      (failure) => lines.push(failureLine(config.host, port, failure)),
    );
    if (result === undefined) return { open: false, lines };
    if ('bindError' in result)
      return { open: false, lines, fatal: messages.bindFailed(errnoText(result.bindError)) };
    result.socket.destroy();
    const open = succeeded(port, result.address);
    return { ...open, lines: [...lines, ...open.lines] };
  };

  const probeUdp = async (port: number): Promise<Outcome> => {
    const { probeUdp: probe } = await import('../net/udp.js');
    for (const address of addresses) {
      // A closed UDP port fails silently, even with -v (nc.openbsd).
      if (await probe(address, port, config.connectTimeoutMs ?? UDP_WAIT_MS, NO_OPTIONS)) {
        return succeeded(port, address);
      }
    }
    return { open: false, lines: [] };
  };

  const probeProxy = async (port: number): Promise<Outcome> => {
    const proxy = config.proxy;
    if (proxy === undefined) return { open: false, lines: [] };
    const { connectViaProxy } = await import('../net/proxy.js');
    const lines: { warn: boolean; text: string }[] = [];
    try {
      const socket = await connectViaProxy({ ...config, proxy }, port, {
        connectFailed: (host, proxyPort, failure) => lines.push(failureLine(host, proxyPort, failure)),
        warn: (text) => lines.push({ warn: true, text }),
        note: (text) => ctx.note(text),
      });
      if (socket === undefined) return { open: false, lines };
      socket.destroy();
      const open = succeeded(port, config.host);
      return { ...open, lines: [...lines, ...open.lines] };
    } catch (error) {
      if (!(error instanceof TsncError)) throw error;
      // nc.openbsd gives up the whole scan at the first refusal by the proxy; tsnc reports the
      // port as closed (with -v) and goes on.
      return { open: false, lines: [...lines, { warn: true, text: error.message }] };
    }
  };

  const probe = config.proxy !== undefined ? probeProxy : config.transport === 'udp' ? probeUdp : probeTcp;
  let anyOpen = false;
  let fatal: string | undefined;
  await inOrder(
    config.ports.length,
    // Through a proxy one at a time: a proxy is a shared server, not the target.
    config.proxy === undefined ? SCAN_CONCURRENCY : 1,
    (index) => probe(config.ports[index] ?? 0),
    (outcome, index) => {
      if (fatal !== undefined) return;
      if (outcome.open) anyOpen = true;
      if (ctx.event !== undefined && outcome.fatal === undefined) {
        // --json: one event per port carries what the -v lines say.
        const port = config.ports[index] ?? 0;
        const error = outcome.lines.filter((line) => line.warn).at(-1)?.text;
        const service = config.numeric ? null : (systemServices().nameOf(port, proto) ?? null);
        const found = outcome.open ? { address: outcome.address, service } : { error };
        ctx.event({ event: 'scan', proto, host: config.host, port, open: outcome.open, ...found });
      } else if (config.verbose) {
        for (const line of outcome.lines) {
          if (line.warn) ctx.warn(line.text);
          else ctx.info(line.text);
        }
      }
      if (outcome.fatal !== undefined) fatal = outcome.fatal;
    },
    () => fatal !== undefined,
  );
  if (fatal !== undefined) {
    ctx.warn(fatal);
    return EXIT.failure;
  }
  return anyOpen ? EXIT.ok : EXIT.failure;
};
