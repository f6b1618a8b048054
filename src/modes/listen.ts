import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Socket as DgramSocket } from 'node:dgram';
import type { ListenConfig } from '../config.js';
import { errnoText, EXIT, resolveErrorText, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import type { AccessGate } from '../net/access.js';
import type { DatagramSocket, Peer } from '../net/udp.js';
import { applyStreamOptions } from '../net/native.js';
import { nameOf, resolveHost, ResolveError } from '../net/resolve.js';
import type { Endpoint } from '../report.js';
import { serve, sessionExitCode, type ModeContext } from './session.js';

/**
 * The address to bind: the one asked for, else 0.0.0.0 only, as nc.openbsd (:: with -6). A name
 * that does not resolve fails with nc's listen-mode line, `getaddrinfo: reason`.
 */
export const bindAddressOf = async (
  config: Pick<ListenConfig, 'bindAddress' | 'family' | 'numeric'>,
): Promise<string> => {
  if (config.bindAddress === undefined) return config.family === 6 ? '::' : '0.0.0.0';
  try {
    const [address] = await resolveHost(config.bindAddress, config.family, config.numeric);
    return address ?? '0.0.0.0';
  } catch (error) {
    if (!(error instanceof ResolveError)) throw error;
    throw new TsncError(messages.resolveListenFailed(resolveErrorText(error)));
  }
};

/** --port-file: the bound port to the file (closing the socket if that fails), and its event. */
export const publishPortFile = async (
  path: string,
  port: number,
  ctx: ModeContext,
  close: () => void,
): Promise<void> => {
  try {
    (await import('../io/port-file.js')).publishPort(path, port);
  } catch (error) {
    close();
    throw error;
  }
  ctx.event?.({ event: 'port-file', path, port });
};

/** Listen on host:port; resolves with the error if binding fails. */
const startListening = (server: Server, host: string, port: number): Promise<unknown> =>
  new Promise((resolve) => {
    const onError = (error: unknown): void => resolve(error);
    server.once('error', onError);
    // ipv6Only false: `-6` binds a dual-stack ::, as nc.openbsd does where bindv6only=0.
    server.listen({ host, port, ipv6Only: false }, () => {
      server.removeListener('error', onError);
      resolve(undefined);
    });
  });

/**
 * Accepted connections, served one at a time: with -k a client that arrives during a session
 * waits (unread, as in nc's backlog) until the current one ends.
 */
class AcceptQueue {
  private readonly waiting: Socket[] = [];
  private wake: ((socket: Socket) => void) | undefined;

  push(socket: Socket): void {
    if (this.wake !== undefined) {
      const wake = this.wake;
      this.wake = undefined;
      wake(socket);
    } else {
      this.waiting.push(socket);
    }
  }

  next(): Promise<Socket> {
    const socket = this.waiting.shift();
    if (socket !== undefined) return Promise.resolve(socket);
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }
}

/**
 * The name of an address for a -v line: looked up unless -n, or --json (its events carry numeric
 * addresses, and a slow lookup would hold them back).
 */
const nameFor = (address: string, config: Pick<ListenConfig, 'numeric'>, ctx: ModeContext): Promise<string> =>
  nameOf(address, config.numeric || ctx.event !== undefined);

/** The -v name of a peer: its address and port, or for -U the socket path (nc.openbsd). */
const describePeer = async (
  socket: Socket,
  config: Pick<ListenConfig, 'transport' | 'bindAddress' | 'numeric'>,
  ctx: ModeContext,
): Promise<string> => {
  if (config.transport === 'unix') return messages.connectionReceivedPath(config.bindAddress ?? '');
  const peer = socket.remoteAddress ?? '';
  const peerPort = socket.remotePort ?? 0;
  return messages.connectionReceived(await nameFor(peer, config, ctx), peerPort);
};

/** --json: the peer of an accepted stream socket (for -U, the socket path). */
export const peerEndpoint = (
  socket: Socket,
  config: Pick<ListenConfig, 'transport' | 'bindAddress'>,
): Endpoint =>
  config.transport === 'unix'
    ? { proto: 'unix', path: config.bindAddress ?? '' }
    : { proto: 'tcp', address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };

/**
 * With -v, a new client's line, once the `Listening on` line is out (the lookup behind it may be
 * slow); with --json, its accepted event.
 */
export const announcePeer = async (
  socket: Socket,
  config: Pick<ListenConfig, 'transport' | 'bindAddress' | 'numeric' | 'verbose'>,
  ctx: ModeContext,
  announced: Promise<void>,
): Promise<void> => {
  if (!config.verbose) return;
  const line = describePeer(socket, config, ctx);
  await announced;
  ctx.info(await line);
  ctx.event?.({ event: 'accepted', ...peerEndpoint(socket, config) });
};

/** A peer turned away (--allow/--deny, -m): the -v line, or with --json the event. */
export const refused = (
  ctx: ModeContext,
  peer: { readonly address: string; readonly port: number },
  message: string,
): void => {
  ctx.info(message);
  ctx.event?.({ event: 'refused', ...peer, message });
};

/**
 * Whether a new client may stay: --allow/--deny, and given `load`, -m's limit on the clients
 * being served. A refused one is said and closed at once, before a byte is read.
 */
export const admits = (
  socket: Socket,
  ctx: ModeContext,
  gate: AccessGate | undefined,
  load?: { readonly active: number; readonly max: number },
): boolean => {
  // getpeername is a syscall per client: only a rule or a limit needs the peer
  if (gate === undefined && load === undefined) return true;
  const peer = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
  const verdict = gate?.check(peer.address) ?? { ok: true };
  const refusal = !verdict.ok
    ? messages.refusedNotAllowed(peer.address, peer.port, verdict.rule)
    : load !== undefined && load.active >= load.max
      ? messages.refusedTooMany(peer.address, peer.port, load.max)
      : undefined;
  if (refusal === undefined) return true;
  refused(ctx, peer, refusal);
  socket.destroy();
  return false;
};

/** What listen and --serve share: where to listen, and who may connect. */
type ListenTarget = Omit<ListenConfig, 'mode'>;

/** --allow/--deny, loaded (names resolved, files read) before anything listens. */
export const gateFor = async (config: ListenTarget): Promise<AccessGate | undefined> => {
  if (config.access === undefined) return undefined;
  const { loadAccess } = await import('../net/access.js');
  return loadAccess(config.access, config.family, config.numeric);
};

/**
 * A stream server (TCP, or a unix socket with -U) listening as config says; a failure to bind is
 * nc's one line (TsncError). The -v "Listening on" line may wait for a slow reverse lookup:
 * clients are accepted meanwhile, and `announced` settles once the line is out.
 */
export const openStreamServer = async (
  config: ListenTarget,
  ctx: ModeContext,
): Promise<{ server: Server; announced: Promise<void> }> => {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  if (config.transport === 'unix') {
    const path = config.bindAddress ?? '';
    const { listenUnix } = await import('../net/unix.js');
    const failure = await listenUnix(server, path);
    if (failure !== undefined) throw new TsncError(messages.listenFailed(errnoText(failure)));
    ctx.info(messages.boundPath(path));
    ctx.info(messages.listeningPath(path));
    ctx.event?.({ event: 'listening', proto: 'unix', path });
    return { server, announced: Promise.resolve() };
  }
  const failure = await startListening(server, await bindAddressOf(config), config.port);
  if (failure !== undefined) throw new TsncError(messages.listenFailed(errnoText(failure)));
  try {
    // On the listener, before any client: accepted connections inherit -I -O -T (Linux).
    applyStreamOptions(server, config.socketOptions);
  } catch (error) {
    server.close();
    throw error;
  }
  const bound = server.address() as AddressInfo;
  if (config.portFile !== undefined)
    await publishPortFile(config.portFile, bound.port, ctx, () => server.close());
  const announced = config.verbose
    ? nameFor(bound.address, config, ctx).then((name) => {
        ctx.info(messages.listening(name, bound.port));
        ctx.event?.({ event: 'listening', proto: 'tcp', address: bound.address, port: bound.port });
      })
    : Promise.resolve();
  return { server, announced };
};

/**
 * A datagram listener's session: the first sender is the peer, or with -k every sender is heard
 * and stdin goes to the last one. `accept` filters senders, `received` reports a new one.
 */
const datagramSession = async (
  socket: DatagramSocket,
  config: ListenConfig,
  ctx: ModeContext,
  accept: (from: Peer) => boolean,
  received: (from: Peer) => void,
): Promise<number> => {
  const { DatagramConnection } = await import('../net/udp.js');
  let conn: Duplex;
  if (config.keepListening) {
    conn = new DatagramConnection(socket, { kind: 'any-sender', accept, onNewSender: received });
  } else {
    conn = await new Promise<Duplex>((resolve) => {
      const association = new DatagramConnection(socket, {
        kind: 'first-sender',
        accept,
        onPeer: (peer) => {
          received(peer);
          resolve(association);
        },
      });
    });
  }
  return sessionExitCode(await serve(conn, config, ctx));
};

/**
 * The UDP socket a listener (-u -l, and --relay's -u) receives on, bound and its port published
 * (--port-file); undefined after the warning if it cannot be bound.
 */
export const openUdpListener = async (
  config: Pick<ListenConfig, 'family' | 'numeric' | 'bindAddress' | 'port' | 'socketOptions' | 'portFile'>,
  ctx: ModeContext,
): Promise<DgramSocket | undefined> => {
  const { openUdp } = await import('../net/udp.js');
  const host = await bindAddressOf(config);
  let socket: DgramSocket;
  try {
    socket = await openUdp(host, host, config.port, config.socketOptions);
  } catch (error) {
    if (error instanceof TsncError) throw error;
    ctx.warn(messages.listenFailed(errnoText(error)));
    return undefined;
  }
  if (config.portFile !== undefined)
    await publishPortFile(config.portFile, socket.address().port, ctx, () => socket.close());
  return socket;
};

const listenUdp = async (
  config: ListenConfig,
  ctx: ModeContext,
  gate: AccessGate | undefined,
): Promise<number> => {
  const socket = await openUdpListener(config, ctx);
  if (socket === undefined) return EXIT.failure;
  const bound = socket.address();
  // Datagrams are taken in while the (possibly slow) reverse lookup for the -v line runs.
  const announced = config.verbose
    ? nameFor(bound.address, config, ctx).then((name) => {
        ctx.info(messages.bound(name, bound.port));
        ctx.event?.({ event: 'bound', proto: 'udp', address: bound.address, port: bound.port });
      })
    : Promise.resolve();
  const accept = (from: Peer): boolean => {
    const verdict = gate?.check(from.address) ?? { ok: true };
    if (!verdict.ok) refused(ctx, from, messages.refusedNotAllowed(from.address, from.port, verdict.rule));
    return verdict.ok;
  };
  const received = (from: Peer): void => {
    if (config.verbose) {
      const name = nameFor(from.address, config, ctx);
      void announced.then(async () => {
        ctx.info(messages.connectionReceived(await name, from.port));
        ctx.event?.({ event: 'accepted', proto: 'udp', ...from });
      });
    }
  };
  return datagramSession(socket, config, ctx, accept, received);
};

/**
 * -U -u -l: a unix datagram socket at the path (a stale socket file there is replaced; the file
 * stays after exit, as nc.openbsd leaves it). A sender that never bound a name cannot be
 * answered: nc.openbsd exits on it (`connect: Invalid argument`), tsnc says so and goes on
 * waiting for a sender with a name.
 */
const listenUnixDatagram = async (config: ListenConfig, ctx: ModeContext): Promise<number> => {
  const { UnixDatagramSocket } = await import('../net/unix-dgram.js');
  const path = config.bindAddress ?? '';
  const socket = UnixDatagramSocket.open();
  try {
    try {
      socket.bind(path);
    } catch (error) {
      ctx.warn(messages.bindFailed(errnoText(error)));
      return EXIT.failure;
    }
    ctx.info(messages.boundPath(path));
    ctx.event?.({ event: 'bound', proto: 'unix', path });
    const accept = (from: Peer): boolean => {
      if (from.address !== '') return true;
      ctx.warn(messages.unnamedSender(path));
      return false;
    };
    return await datagramSession(socket, config, ctx, accept, () => {
      ctx.info(messages.connectionReceivedPath(path));
      ctx.event?.({ event: 'accepted', proto: 'unix', path });
    });
  } finally {
    socket.close();
  }
};

/** Listen mode: accept a client and relay stdio over it; with -k, keep going forever. */
export const listenMode = async (config: ListenConfig, ctx: ModeContext): Promise<number> => {
  const gate = await gateFor(config);
  if (config.transport === 'udp') return listenUdp(config, ctx, gate);
  if (config.transport === 'unix-dgram') return listenUnixDatagram(config, ctx);
  const tls =
    config.tls === undefined
      ? undefined
      : (await import('../net/tls.js')).tlsServer(config.tls, config.bindAddress, config.idleTimeoutMs, ctx);
  /** The connection as served: the socket, or its TLS session (undefined: the handshake failed). */
  const secured = (socket: Socket): Promise<Duplex | undefined> =>
    tls === undefined
      ? Promise.resolve(socket)
      : config.transport === 'unix'
        ? tls.secure(socket, config.bindAddress ?? '', undefined)
        : tls.secure(socket, socket.remoteAddress ?? '', socket.remotePort ?? 0);
  const { server, announced } = await openStreamServer(config, ctx);
  if (tls?.ephemeralFingerprint !== undefined) {
    const { pinCommand } = await import('../net/pin-command.js');
    const line = pinCommand(
      tls.ephemeralFingerprint,
      config,
      (server.address() as AddressInfo | null)?.port ?? 0,
    );
    if (ctx.event === undefined) ctx.warn(messages.pinCommand(line.command));
    else ctx.event({ event: 'pin-command', ...line });
  }
  if (config.fan !== undefined) {
    const { fanMode } = await import('./fan.js');
    return fanMode(config, config.fan, ctx, server, announced, gate, secured);
  }

  if (config.exec !== undefined && config.keepListening) {
    // -k with -e/-c: every client gets its own program, at once (ncat), at most -m of them.
    let active = 0;
    server.on('connection', (socket: Socket) => {
      if (!admits(socket, ctx, gate, { active, max: config.maxConnections })) return;
      active += 1;
      void (async () => {
        await announcePeer(socket, config, ctx, announced);
        const conn = await secured(socket);
        if (conn !== undefined) await serve(conn, config, ctx);
      })().finally(() => {
        active -= 1;
      });
    });
    await new Promise((resolve) => server.once('close', resolve));
    return EXIT.ok;
  }

  const queue = new AcceptQueue();
  let accepted = false;
  server.on('connection', (socket: Socket) => {
    if (!config.keepListening && accepted) {
      socket.destroy();
      return;
    }
    if (!admits(socket, ctx, gate)) return;
    accepted = true;
    queue.push(socket);
  });

  for (;;) {
    const socket = await queue.next();
    // Without -k one session is all: stop accepting, so later clients are refused. Not for -U:
    // closing would unlink the socket file (libuv does), and nc.openbsd leaves it; later
    // clients are closed at once instead (see the 'connection' handler).
    if (!config.keepListening && config.transport !== 'unix') server.close();
    if (config.verbose) await announcePeer(socket, config, ctx, announced);
    const conn = tls === undefined ? socket : await secured(socket);
    if (conn === undefined) {
      if (config.keepListening) continue;
      return EXIT.failure;
    }
    const end = await serve(conn, config, ctx);
    if (!config.keepListening || end === 'stdout-failed') return sessionExitCode(end);
  }
};
