import { lstatSync, unlinkSync } from 'node:fs';
import { connect as netConnect, type Server, type Socket } from 'node:net';

/**
 * The address Node.js wants for a -U path. `@name` is a Linux abstract socket (Debian's
 * nc.openbsd), which Node.js spells with a leading NUL byte.
 */
export const unixAddress = (path: string): string => (path.startsWith('@') ? `\0${path.slice(1)}` : path);

/** Connect to a unix stream socket; rejects with the system error. */
export const connectUnix = (path: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ path: unixAddress(path), allowHalfOpen: true });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', reject);
  });

/**
 * A socket file left at path by an earlier listener is removed before binding, as nc.openbsd
 * does. Only a socket: a regular file or a directory there is somebody's data, and binding
 * fails on it with "Address already in use".
 */
export const removeStaleSocket = (path: string): void => {
  if (path.startsWith('@')) return;
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there (or not ours to remove): bind() will say what is wrong.
  }
};

/** Listen on a unix stream socket path; resolves with the error if binding fails. */
export const listenUnix = (server: Server, path: string): Promise<unknown> =>
  new Promise((resolve) => {
    removeStaleSocket(path);
    const onError = (error: unknown): void => resolve(error);
    server.once('error', onError);
    server.listen({ path: unixAddress(path) }, () => {
      server.removeListener('error', onError);
      resolve(undefined);
    });
  });
