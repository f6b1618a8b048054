import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { loadNative, streamFd } from './native.js';

/** How long the peer may leave the send queue as it is before tsnc stops waiting for it (ms). */
export const ACK_PATIENCE_MS = 2000;
/** How often the send queue is looked at meanwhile (ms). */
const POLL_MS = 5;

/** A reader of the socket's unacknowledged bytes, or undefined: not TCP, or no native addon. */
const sendQueueOf = (socket: Duplex): (() => number) | undefined => {
  if (!(socket instanceof Socket)) return undefined;
  const fd = streamFd(socket);
  if (fd < 0) return undefined;
  try {
    const native = loadNative('-q');
    const family = native.socketFamily(fd);
    if (family !== native.constants.AF_INET && family !== native.constants.AF_INET6) return undefined;
    return () => {
      // Destroyed meanwhile (a reset): nothing left to wait for, and the descriptor may already
      // belong to something else.
      if (socket.destroyed) return 0;
      try {
        return native.sendQueue(fd);
      } catch {
        return 0;
      }
    };
  } catch {
    return undefined;
  }
};

/**
 * Resolves once the peer has acknowledged every byte sent on a TCP socket. A close while the peer's
 * data is still arriving resets the connection, and the kernel then drops whatever of ours it has
 * not delivered; waiting here first means a quit (-q) loses nothing that was sent. The wait ends
 * early when the queue makes no progress for `patienceMs` (a peer that stopped reading), and at
 * once for a socket that is not TCP or without the native addon.
 */
export const acknowledged = (socket: Duplex, patienceMs = ACK_PATIENCE_MS): Promise<void> => {
  const pending = sendQueueOf(socket);
  if (pending === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    let last = pending();
    let since = Date.now();
    const check = (): void => {
      const now = pending();
      if (now === 0) {
        resolve();
        return;
      }
      if (now < last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= patienceMs) {
        resolve();
        return;
      }
      setTimeout(check, POLL_MS);
    };
    check();
  });
};
