import type { Duplex } from 'node:stream';
import type { ConnectConfig } from '../config.js';
import { errnoText, EXIT, resolveErrorText, TsncError } from '../errors.js';
import { relay, type RelayEnd } from '../io/relay.js';
import { messages } from '../messages.js';
import { resolveHost, ResolveError } from '../net/resolve.js';
import { systemServices } from '../net/services.js';
import { connectTcp, isBindError } from '../net/tcp.js';
import { relayRules, sessionExitCode, type ModeContext } from './session.js';

/** Serve one connection: relay stdio over it, or hand it to the -e/-c program. */
const serve = async (
  conn: Duplex,
  config: ConnectConfig,
  ctx: ModeContext,
): Promise<RelayEnd | 'exec-failed'> => {
  if (config.exec === undefined) return relay(conn, ctx.stdin, ctx.stdout, relayRules(config));
  const { execSession } = await import('./exec.js');
  return (await execSession(conn, config.exec, config, (text) => ctx.warn(text)))
    ? 'complete'
    : 'exec-failed';
};

/** -U: one path, no -v line on success; a failure is always printed (nc.openbsd's warn(path)). */
const connectUnixMode = async (config: ConnectConfig, ctx: ModeContext): Promise<number> => {
  const { connectUnix } = await import('../net/unix.js');
  let socket: Duplex;
  try {
    socket = await connectUnix(config.host);
  } catch (error) {
    ctx.warn(messages.pathFailed(config.host, errnoText(error)));
    return EXIT.failure;
  }
  const end = await serve(socket, config, ctx);
  return end === 'exec-failed' ? EXIT.failure : sessionExitCode(end);
};

/** Connect mode: connect to each port in turn (nc's port list) and relay stdio over it. */
export const connectMode = async (config: ConnectConfig, ctx: ModeContext): Promise<number> => {
  if (config.transport === 'unix') return connectUnixMode(config, ctx);
  const proto = config.transport;
  let addresses: string[];
  let sourceAddress: string | undefined;
  try {
    // Through a proxy the proxy resolves the name (SOCKS5, CONNECT) or socks.c does (SOCKS4).
    addresses =
      config.proxy === undefined ? await resolveHost(config.host, config.family, config.numeric) : [];
  } catch (error) {
    const code = error instanceof ResolveError ? error.code : undefined;
    ctx.warn(messages.resolveFailed(config.host, config.ports[0] ?? '', resolveErrorText({ code })));
    return EXIT.failure;
  }
  if (config.sourceAddress !== undefined) {
    try {
      [sourceAddress] = await resolveHost(config.sourceAddress, config.family, config.numeric);
    } catch (error) {
      const code = error instanceof ResolveError ? error.code : undefined;
      ctx.warn(messages.resolveFailed(config.sourceAddress, 'null', resolveErrorText({ code })));
      return EXIT.failure;
    }
  }
  const udp = proto === 'udp' ? await import('../net/udp.js') : undefined;

  let status: number = EXIT.failure;
  for (const port of config.ports) {
    let conn: Duplex | undefined;
    let connectedTo = config.host;
    if (config.proxy !== undefined) {
      const { connectViaProxy } = await import('../net/proxy.js');
      try {
        conn = await connectViaProxy(
          config.proxy,
          config.host,
          port,
          { family: config.family, numeric: config.numeric, timeoutMs: config.connectTimeoutMs },
          {
            connectFailed: (address, proxyPort, timedOut, error) => {
              if (!config.verbose) return;
              const host = config.proxy?.host ?? address;
              ctx.warn(
                timedOut
                  ? messages.connectTimedOut(host, address, proxyPort, 'tcp')
                  : messages.connectFailed(host, address, proxyPort, 'tcp', errnoText(error)),
              );
            },
            warn: (text) => ctx.warn(text),
          },
        );
      } catch (error) {
        if (!(error instanceof TsncError)) throw error;
        ctx.warn(error.message);
        return EXIT.failure;
      }
      if (conn === undefined) return EXIT.failure;
    }
    for (const address of conn === undefined ? addresses : []) {
      if (udp !== undefined) {
        try {
          const socket = await udp.openUdp(address, sourceAddress, config.sourcePort, config.socketOptions);
          await udp.connectUdp(socket, address, port);
          conn = new udp.DatagramConnection(socket, { kind: 'connected' });
        } catch (error) {
          if (isBindError(error)) ctx.warn(messages.bindFailed(errnoText(error)));
          else if (config.verbose)
            ctx.warn(messages.connectFailed(config.host, address, port, 'udp', errnoText(error)));
          return EXIT.failure;
        }
        connectedTo = address;
        break;
      }
      const result = await connectTcp(
        address,
        port,
        sourceAddress,
        config.sourcePort,
        config.connectTimeoutMs,
      );
      if (result.ok) {
        conn = result.socket;
        connectedTo = address;
        break;
      }
      if (!result.timedOut && isBindError(result.error)) {
        ctx.warn(messages.bindFailed(errnoText(result.error)));
        return EXIT.failure;
      }
      if (config.verbose) {
        ctx.warn(
          result.timedOut
            ? messages.connectTimedOut(config.host, address, port, proto)
            : messages.connectFailed(config.host, address, port, proto, errnoText(result.error)),
        );
      }
    }
    if (conn === undefined) continue;
    status = EXIT.ok;
    if (config.verbose) {
      // No "X" probe datagrams for -u -v, unlike nc.openbsd: they would be part of the data.
      const service = config.numeric ? undefined : systemServices().nameOf(port, proto);
      ctx.info(messages.connectSucceeded(config.host, connectedTo, port, proto, service ?? '*'));
    }
    const end = await serve(conn, config, ctx);
    if (end === 'exec-failed') return EXIT.failure;
    if (end === 'stdout-failed') return sessionExitCode(end);
  }
  return status;
};
