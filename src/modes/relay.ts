import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RelayConfig } from '../config.js';
import { errnoText, EXIT, resolveErrorText } from '../errors.js';
import { bridge, resetEnd, tcpOf, type BridgeEnd, type BridgeResult } from '../io/bridge.js';
import { messages } from '../messages.js';
import { resolveHost, ResolveError } from '../net/resolve.js';
import type { TlsClient, TlsServer } from '../net/tls.js';
import { connectFirst, failureReason } from '../net/tcp.js';
import type { Endpoint } from '../report.js';
import { admits, announcePeer, gateFor, openStreamServer, peerEndpoint } from './listen.js';
import type { ModeContext } from './session.js';

/** The target in the -v lines: `HOST port P (tcp)`, or a unix path. */
const targetWhere = (config: RelayConfig, address?: string): string => {
  const { target } = config;
  if (target.kind === 'unix') return target.path;
  const host = address === undefined || address === target.host ? target.host : `${target.host} (${address})`;
  return `${host} port ${target.port} (tcp)`;
};

/**
 * The family the target is looked up in: -4/-6 pick the listener's, and a name's addresses; a
 * literal address is its own family (`-6 -s ::1 --relay 127.0.0.1:80` puts an IPv6 front on an
 * IPv4 service).
 */
export const targetFamily = (config: RelayConfig, host: string): RelayConfig['family'] =>
  isIP(host) === 0 ? config.family : undefined;

/** A connection to the target, or the one line that says why there is none. */
type Upstream =
  { readonly end: BridgeEnd; readonly address: string | undefined } | { readonly failure: string };

/**
 * A new connection to the target, for one client. The name is looked up again each time: a
 * target that does not resolve yet (containers start in any order) fails this client only.
 */
const connectTarget = async (
  config: RelayConfig,
  tls: TlsClient | undefined,
  timeoutMs: number | undefined,
): Promise<Upstream> => {
  const { target } = config;
  if (target.kind === 'unix') {
    const { connectUnix } = await import('../net/unix.js');
    try {
      const socket = await connectUnix(target.path);
      return { end: { stream: socket, tcp: undefined }, address: undefined };
    } catch (error) {
      return { failure: messages.relayFailed(target.path, errnoText(error)) };
    }
  }
  if (target.kind === 'udp') throw new Error('a UDP target in the stream relay');
  let addresses: string[];
  try {
    addresses = await resolveHost(target.host, targetFamily(config, target.host), config.numeric);
  } catch (error) {
    if (!(error instanceof ResolveError)) throw error;
    return { failure: messages.relayFailed(targetWhere(config), resolveErrorText(error)) };
  }
  let last: { address: string; reason: string } | undefined;
  const connected = await connectFirst(addresses, target.port, undefined, undefined, timeoutMs, (failure) => {
    last = {
      address: failure.address,
      reason: failureReason(failure),
    };
  });
  if (connected === undefined || !('socket' in connected)) {
    return {
      failure: messages.relayFailed(targetWhere(config, last?.address), last?.reason ?? 'no address'),
    };
  }
  const { socket, address } = connected;
  if (tls === undefined) return { end: { stream: socket, tcp: socket }, address };
  try {
    const secured = await tls.secure(socket, target.host, target.port);
    return { end: { stream: secured, tcp: socket }, address };
  } catch (error) {
    socket.destroy();
    return { failure: error instanceof Error ? error.message : String(error) };
  }
};

/** The -v name of a client: its address and port, or the -U path. */
const clientName = (socket: Socket, config: RelayConfig): string =>
  config.transport === 'unix'
    ? (config.bindAddress ?? '')
    : `${socket.remoteAddress ?? ''} ${socket.remotePort ?? 0}`;

const howEnded = (result: BridgeResult): string =>
  result.outcome === 'reset' ? `reset by the ${result.resetBy ?? 'client'}` : result.outcome;

/**
 * One client: TLS first if the listener terminates it, then its own connection to the target,
 * then the bridge. A target that cannot be reached resets the client (an error it sees, not an
 * empty answer). Resolves true if the client was relayed.
 */
const relayClient = async (
  socket: Socket,
  config: RelayConfig,
  ctx: ModeContext,
  announced: Promise<void>,
  tlsIn: TlsServer | undefined,
  tlsOut: TlsClient | undefined,
): Promise<boolean> => {
  // The client may reset while the target is being reached: the bridge finds it destroyed.
  socket.on('error', () => undefined);
  const endpoint: Endpoint = peerEndpoint(socket, config);
  const name = clientName(socket, config);
  if (config.verbose) await announcePeer(socket, config, ctx, announced);
  let stream: Duplex = socket;
  if (tlsIn !== undefined) {
    const secured =
      config.transport === 'unix'
        ? await tlsIn.secure(socket, config.bindAddress ?? '', undefined)
        : await tlsIn.secure(socket, socket.remoteAddress ?? '', socket.remotePort ?? 0);
    if (secured === undefined) return false;
    stream = secured;
  }
  const client: BridgeEnd = { stream, tcp: tcpOf(socket) };
  const upstream = await connectTarget(config, tlsOut, config.idleTimeoutMs);
  if ('failure' in upstream) {
    // The line first, then the reset: a script that sees the client fail finds the reason logged.
    if (ctx.event !== undefined) {
      ctx.event({ event: 'relay-failed', ...endpoint, target: config.targetText, message: upstream.failure });
    } else if (config.verbose) {
      ctx.warn(upstream.failure);
    }
    resetEnd(client);
    return false;
  }
  ctx.info(messages.relayConnected(targetWhere(config, upstream.address)));
  ctx.event?.({
    event: 'relayed',
    ...endpoint,
    target: config.targetText,
    targetAddress: upstream.address ?? null,
  });
  const started = performance.now();
  const result = await bridge(client, upstream.end, config.idleTimeoutMs);
  ctx.info(messages.relayClosed(name, howEnded(result), result.toTarget, result.fromTarget));
  ctx.event?.({
    event: 'relay-closed',
    ...endpoint,
    target: config.targetText,
    end: result.outcome,
    resetBy: result.resetBy ?? null,
    bytesToTarget: result.toTarget,
    bytesFromTarget: result.fromTarget,
    durationMs: Math.round(performance.now() - started),
  });
  return true;
};

/**
 * -l --relay TARGET: every client gets its own new connection to TARGET, relayed both ways by
 * the rules of io/bridge.ts. Without -k one client, then the exit status of its relay (1 if the
 * target could not be reached); with -k clients are served at once, up to -m.
 */
export const relayMode = async (config: RelayConfig, ctx: ModeContext): Promise<number> => {
  if (config.transport === 'udp') return (await import('./relay-udp.js')).udpRelayMode(config, ctx);
  const gate = await gateFor(config);
  const tlsModule =
    config.tls !== undefined || (config.target.kind === 'tcp' && config.target.tls !== undefined)
      ? await import('../net/tls.js')
      : undefined;
  // Certificates and trust files are read before anything listens: a bad one is an exit 1 at once.
  const tlsIn =
    config.tls === undefined
      ? undefined
      : tlsModule?.tlsServer(config.tls, config.bindAddress, config.idleTimeoutMs, ctx);
  const tlsOut =
    config.target.kind === 'tcp' && config.target.tls !== undefined
      ? tlsModule?.tlsClient(config.target.tls, config.idleTimeoutMs, ctx)
      : undefined;
  const { server, announced } = await openStreamServer(config, ctx);

  if (!config.keepListening) {
    const socket = await new Promise<Socket>((resolve) => {
      let accepted = false;
      server.on('connection', (socket: Socket) => {
        if (accepted || !admits(socket, ctx, gate)) {
          if (accepted) socket.destroy();
          return;
        }
        accepted = true;
        resolve(socket);
      });
    });
    // One client is all; as listen mode, a -U listener stays open (closing would unlink it).
    if (config.transport !== 'unix') server.close();
    const relayed = await relayClient(socket, config, ctx, announced, tlsIn, tlsOut);
    return relayed ? EXIT.ok : EXIT.failure;
  }

  let active = 0;
  server.on('connection', (socket: Socket) => {
    if (!admits(socket, ctx, gate, { active, max: config.maxConnections })) return;
    active += 1;
    void relayClient(socket, config, ctx, announced, tlsIn, tlsOut).finally(() => {
      active -= 1;
    });
  });
  // The listener never closes: tsnc relays until a signal ends it.
  await new Promise((resolve) => server.once('close', resolve));
  return EXIT.ok;
};
