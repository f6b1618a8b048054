import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { ListenConfig } from '../config.js';
import { errnoText, EXIT, resolveErrorText } from '../errors.js';
import { relay } from '../io/relay.js';
import { messages } from '../messages.js';
import { nameOf, resolveHost, ResolveError } from '../net/resolve.js';
import { relayRules, sessionExitCode, type ModeContext } from './session.js';

/** The address to bind: the one asked for, else 0.0.0.0 only, as nc.openbsd (:: with -6). */
const bindAddressOf = async (config: ListenConfig): Promise<string> => {
  if (config.bindAddress === undefined) return config.family === 6 ? '::' : '0.0.0.0';
  const [address] = await resolveHost(config.bindAddress, config.family, config.numeric);
  return address ?? '0.0.0.0';
};

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

/** Listen mode: accept a client and relay stdio over it; with -k, keep going forever. */
export const listenMode = async (config: ListenConfig, ctx: ModeContext): Promise<number> => {
  let host: string;
  try {
    host = await bindAddressOf(config);
  } catch (error) {
    const code = error instanceof ResolveError ? error.code : undefined;
    ctx.warn(messages.resolveListenFailed(resolveErrorText({ code })));
    return EXIT.failure;
  }
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  const failure = await startListening(server, host, config.port);
  if (failure !== undefined) {
    ctx.warn(messages.listenFailed(errnoText(failure)));
    return EXIT.failure;
  }
  const bound = server.address() as AddressInfo;
  if (config.verbose) {
    ctx.info(messages.listening(await nameOf(bound.address, bound.port, config.numeric), bound.port));
  }

  const queue = new AcceptQueue();
  let accepted = false;
  server.on('connection', (socket: Socket) => {
    if (!config.keepListening && accepted) {
      socket.destroy();
      return;
    }
    accepted = true;
    queue.push(socket);
  });

  for (;;) {
    const socket = await queue.next();
    // Without -k one session is all: stop accepting, so later clients are refused.
    if (!config.keepListening) server.close();
    if (config.verbose) {
      const peer = socket.remoteAddress ?? '';
      const peerPort = socket.remotePort ?? 0;
      ctx.info(messages.connectionReceived(await nameOf(peer, peerPort, config.numeric), peerPort));
    }
    const end = await relay(socket, ctx.stdin, ctx.stdout, relayRules(config));
    if (!config.keepListening || end === 'stdout-failed') return sessionExitCode(end);
  }
};
