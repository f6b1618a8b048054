// -b -I -O -T: the socket options.
import type { SocketOptions } from '../config.js';
import { messages } from '../messages.js';
import { parseTos } from '../net/tos.js';
import type { RawArgs } from './argv.js';
import { fail, integerOption, MAX_WINDOW } from './numbers.js';

/** -b -I -O -T, checked here; TCP and -T need the native addon, loaded only when a socket is made. */
export const socketOptions = (raw: RawArgs): SocketOptions => {
  const window = (text: string | undefined, error: (p: string, t: string) => string) =>
    text === undefined ? undefined : integerOption(text, 1, MAX_WINDOW, error);
  const recvBufferSize = window(raw.recvBuffer, messages.receiveWindowInvalid);
  const sendBufferSize = window(raw.sendBuffer, messages.sendWindowInvalid);
  const tos = raw.tos === undefined ? undefined : parseTos(raw.tos);
  if (raw.tos !== undefined && tos === undefined) fail(messages.tosIllegal(raw.tos));
  return { broadcast: raw.broadcast, recvBufferSize, sendBufferSize, ...(tos === undefined ? {} : { tos }) };
};
