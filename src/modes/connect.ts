import { connect as netConnect, type Socket } from 'node:net';
import type { ConnectConfig } from '../config.js';
import { errnoText, EXIT, resolveErrorText } from '../errors.js';
import { relay } from '../io/relay.js';
import { messages } from '../messages.js';
import { resolveHost, ResolveError } from '../net/resolve.js';
import { systemServices } from '../net/services.js';
import { relayRules, sessionExitCode, type ModeContext } from './session.js';

type Attempt =
  | { readonly ok: true; readonly socket: Socket }
  | { readonly ok: false; readonly timedOut: boolean; readonly error?: unknown };

const attempt = (
  address: string,
  port: number,
  localAddress: string | undefined,
  localPort: number | undefined,
  timeoutMs: number | undefined,
): Promise<Attempt> =>
  new Promise((resolve) => {
    const socket = netConnect({
      host: address,
      port,
      localAddress,
      localPort,
      allowHalfOpen: true,
      autoSelectFamily: false,
    });
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            socket.destroy();
            resolve({ ok: false, timedOut: true });
          }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve({ ok: true, socket });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, timedOut: false, error });
    });
  });

const isBindError = (error: unknown): boolean => (error as { syscall?: unknown }).syscall === 'bind';

/** Connect mode: connect to each port in turn (nc's port list) and relay stdio over it. */
export const connectMode = async (config: ConnectConfig, ctx: ModeContext): Promise<number> => {
  let addresses: string[];
  let sourceAddress: string | undefined;
  try {
    addresses = await resolveHost(config.host, config.family, config.numeric);
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

  let status: number = EXIT.failure;
  for (const port of config.ports) {
    let socket: Socket | undefined;
    let connectedTo = '';
    for (const address of addresses) {
      const result = await attempt(address, port, sourceAddress, config.sourcePort, config.connectTimeoutMs);
      if (result.ok) {
        socket = result.socket;
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
            ? messages.connectTimedOut(config.host, address, port, 'tcp')
            : messages.connectFailed(config.host, address, port, 'tcp', errnoText(result.error)),
        );
      }
    }
    if (socket === undefined) continue;
    status = EXIT.ok;
    if (config.verbose) {
      const service = config.numeric ? undefined : systemServices().nameOf(port, 'tcp');
      ctx.info(messages.connectSucceeded(config.host, connectedTo, port, 'tcp', service ?? '*'));
    }
    const end = await relay(socket, ctx.stdin, ctx.stdout, relayRules(config));
    if (end === 'stdout-failed') return sessionExitCode(end);
  }
  return status;
};
