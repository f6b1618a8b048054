import { connect as netConnect, type Socket } from 'node:net';
import { errnoText } from '../errors.js';

/** The outcome of one TCP connect: the socket, or why not. */
export type Attempt =
  | { readonly ok: true; readonly socket: Socket }
  | { readonly ok: false; readonly timedOut: boolean; readonly error?: unknown };

/** Connect to address:port (optionally from a local address/port), giving up after timeoutMs. */
export const connectTcp = (
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

/** The error came from binding the local address (-s/-p), not from the connect itself. */
export const isBindError = (error: unknown): boolean => (error as { syscall?: unknown }).syscall === 'bind';

/** One address that did not answer. */
export interface ConnectFailure {
  readonly address: string;
  readonly timedOut: boolean;
  readonly error?: unknown;
}

/** Why a connect failed, in nc's words: `Connection timed out`, or the errno's text. */
export const failureReason = (failure: ConnectFailure | undefined): string =>
  failure?.timedOut === true ? 'Connection timed out' : errnoText(failure?.error);

/**
 * Try each address in turn (getaddrinfo's order, as nc), telling onFailure about each that does
 * not connect. Stops at the first that connects, or at a bind error (-s/-p), which no other
 * address can cure.
 */
export const connectFirst = async (
  addresses: readonly string[],
  port: number,
  localAddress: string | undefined,
  localPort: number | undefined,
  timeoutMs: number | undefined,
  onFailure: (failure: ConnectFailure) => void,
): Promise<
  { readonly socket: Socket; readonly address: string } | { readonly bindError: unknown } | undefined
> => {
  for (const address of addresses) {
    const result = await connectTcp(address, port, localAddress, localPort, timeoutMs);
    if (result.ok) return { socket: result.socket, address };
    if (!result.timedOut && isBindError(result.error)) return { bindError: result.error };
    onFailure({ address, timedOut: result.timedOut, error: result.error });
  }
  return undefined;
};
