import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectConfig } from '../config.js';
import { errnoText, EXIT, TsncError } from '../errors.js';
import { messages } from '../messages.js';
import { applyStreamOptions } from '../net/native.js';
import { resolveTarget } from '../net/resolve.js';
import { systemServices } from '../net/services.js';
import { connectFirst, isBindError, type ConnectFailure } from '../net/tcp.js';
import { serve, sessionExitCode, type ModeContext, type SessionEnd } from './session.js';

/**
 * Node.js creates the socket inside connect(), so -I -O -T apply once it is connected (for -x: to
 * the connection with the proxy, as nc.openbsd's). A failure destroys the socket and throws.
 */
export const withStreamOptions = (socket: Socket, config: ConnectConfig): void => {
  try {
    applyStreamOptions(socket, config.socketOptions);
  } catch (error) {
    socket.destroy();
    throw error;
  }
};

/** A connected TCP stream (or UDP association): the -v line and event, TLS if asked for, the session. */
export const connectedSession = async (
  config: ConnectConfig,
  ctx: ModeContext,
  tls: TlsClient | undefined,
  opened: { readonly conn: Duplex; readonly address: string },
  port: number,
): Promise<SessionEnd> => {
  const proto = config.transport === 'udp' ? 'udp' : 'tcp';
  if (config.verbose) {
    // No "X" probe datagrams for -u -v, unlike nc.openbsd: they would be part of the data.
    const service = config.numeric ? undefined : systemServices().nameOf(port, proto);
    ctx.info(messages.connectSucceeded(config.host, opened.address, port, proto, service ?? '*'));
    ctx.event?.({
      event: 'connected',
      proto,
      host: config.host,
      address: opened.address,
      port,
      service: service ?? null,
    });
  }
  const conn = tls === undefined ? opened.conn : await tls.secure(opened.conn, config.host, port);
  return serve(conn, config, ctx);
};

/** -U: one path, no -v line on success; a failure is always printed (nc.openbsd's warn(path)). */
const connectUnixMode = async (config: ConnectConfig, ctx: ModeContext): Promise<number> => {
  const { connectUnix } = await import('../net/unix.js');
  const tls = await tlsClientFor(config, ctx);
  let socket: Duplex;
  try {
    socket = await connectUnix(config.host);
  } catch (error) {
    if (error instanceof TsncError) throw error; // no addon for an abstract name
    ctx.warn(messages.pathFailed(config.host, errnoText(error)));
    return EXIT.failure;
  }
  return sessionExitCode(await unixSession(config, ctx, tls, socket));
};

/** A connected -U stream socket: the event, TLS if asked for, and the session. */
export const unixSession = async (
  config: ConnectConfig,
  ctx: ModeContext,
  tls: TlsClient | undefined,
  connected: Duplex,
): Promise<SessionEnd> => {
  let socket = connected;
  ctx.event?.({ event: 'connected', proto: 'unix', host: config.host, path: config.host, service: null });
  if (tls !== undefined) socket = await tls.secure(socket, config.host, undefined);
  return serve(socket, config, ctx);
};

type TlsClient = Awaited<ReturnType<typeof tlsClientFor>>;

/** --ssl: the client side, its files read before any socket exists. */
export const tlsClientFor = async (config: ConnectConfig, ctx: ModeContext) =>
  config.tls === undefined
    ? undefined
    : (await import('../net/tls.js')).tlsClient(config.tls, config.idleTimeoutMs, ctx);

/**
 * -U -u: a unix datagram socket bound to -s PATH, or to a temporary path that is removed at the
 * end (nc.openbsd binds one so the server can answer), connected to the server's path.
 */
const connectUnixDatagramMode = async (config: ConnectConfig, ctx: ModeContext): Promise<number> => {
  const { UnixDatagramSocket } = await import('../net/unix-dgram.js');
  const { DatagramConnection } = await import('../net/udp.js');
  const socket = UnixDatagramSocket.open();
  try {
    const local = config.sourceAddress;
    try {
      if (local === undefined) ctx.info(messages.boundPath(socket.bindTemporary()));
      else {
        socket.bind(local);
        ctx.info(messages.boundPath(local));
      }
    } catch (error) {
      ctx.warn(messages.bindFailed(errnoText(error)));
      return EXIT.failure;
    }
    try {
      socket.connectPath(config.host);
      ctx.event?.({ event: 'connected', proto: 'unix', host: config.host, path: config.host, service: null });
    } catch (error) {
      ctx.warn(messages.pathFailed(config.host, errnoText(error)));
      return EXIT.failure;
    }
    return sessionExitCode(await serve(new DatagramConnection(socket, { kind: 'connected' }), config, ctx));
  } finally {
    socket.close();
  }
};

/** Connect mode: connect to each port in turn (nc's port list) and relay stdio over it. */
export const connectMode = async (config: ConnectConfig, ctx: ModeContext): Promise<number> => {
  if (config.retry !== undefined)
    return (await import('./retry.js')).connectRetrying(config, config.retry, ctx);
  if (config.transport === 'unix') return connectUnixMode(config, ctx);
  if (config.transport === 'unix-dgram') return connectUnixDatagramMode(config, ctx);
  const proto = config.transport;
  const tls = await tlsClientFor(config, ctx);
  const { addresses, sourceAddress } = await resolveTarget(config);
  const reportFailure = (host: string, port: number, failure: ConnectFailure): void => {
    if (!config.verbose) return;
    const reason = errnoText(failure.error);
    ctx.warn(messages.connectFailure(host, failure.address, port, 'tcp', failure.timedOut, reason));
  };

  const withOptions = (socket: Socket): void => withStreamOptions(socket, config);

  /** The connection to port, or undefined (reported with -v), or an exit status to end with. */
  const open = async (port: number): Promise<{ conn: Duplex; address: string } | number | undefined> => {
    const proxy = config.proxy;
    if (proxy !== undefined) {
      const { connectViaProxy } = await import('../net/proxy.js');
      const conn = await connectViaProxy({ ...config, proxy }, port, {
        connectFailed: reportFailure,
        warn: (text) => ctx.warn(text),
        note: (text) => ctx.note(text),
      });
      if (conn === undefined) return EXIT.failure;
      withOptions(conn);
      return { conn, address: config.host };
    }
    if (proto === 'udp') {
      const udp = await import('../net/udp.js');
      const address = addresses[0] ?? '';
      try {
        const socket = await udp.openUdp(address, sourceAddress, config.sourcePort, config.socketOptions);
        await udp.connectUdp(socket, address, port);
        return { conn: new udp.DatagramConnection(socket, { kind: 'connected' }), address };
      } catch (error) {
        if (isBindError(error)) ctx.warn(messages.bindFailed(errnoText(error)));
        else if (config.verbose) {
          ctx.warn(messages.connectFailure(config.host, address, port, 'udp', false, errnoText(error)));
        }
        return EXIT.failure;
      }
    }
    const result = await connectFirst(
      addresses,
      port,
      sourceAddress,
      config.sourcePort,
      config.connectTimeoutMs,
      (failure) => reportFailure(config.host, port, failure),
    );
    if (result !== undefined && 'bindError' in result) {
      ctx.warn(messages.bindFailed(errnoText(result.bindError)));
      return EXIT.failure;
    }
    if (result !== undefined) withOptions(result.socket);
    return result === undefined ? undefined : { conn: result.socket, address: result.address };
  };

  let status: number = EXIT.failure;
  for (const port of config.ports) {
    const opened = await open(port);
    if (typeof opened === 'number') return opened;
    if (opened === undefined) continue;
    status = EXIT.ok;
    const end = await connectedSession(config, ctx, tls, opened, port);
    if (end === 'exec-failed' || end === 'stdout-failed') return sessionExitCode(end);
  }
  return status;
};
