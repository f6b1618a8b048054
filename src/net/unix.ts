import { lstatSync, unlinkSync } from 'node:fs';
import { connect as netConnect, Socket, type Server } from 'node:net';
import { loadNative } from './native.js';

/** `@name` is a Linux abstract socket (Debian's nc.openbsd): no file, a name starting with NUL. */
const isAbstract = (path: string): boolean => path.startsWith('@');

/**
 * Node 20 binds and connects an abstract name with all 108 bytes of sun_path, the name padded
 * with NULs: another name than the one socat, nc.openbsd, Python or systemd use (the exact
 * length), so none of them could reach it, nor it them. The addon makes those sockets with the
 * exact length, and Node takes them over as descriptors.
 */
const abstractFeature = 'abstract unix socket';

/** Connect to a unix stream socket; rejects with the system error. */
export const connectUnix = (path: string): Promise<Socket> => {
  if (isAbstract(path)) {
    // Outside the promise: a missing addon is tsnc's own error, not the connect's.
    const native = loadNative(abstractFeature);
    return new Promise((resolve) => {
      const fd = native.streamConnect(Buffer.from(path));
      resolve(new Socket({ fd, readable: true, writable: true, allowHalfOpen: true }));
    });
  }
  return new Promise((resolve, reject) => {
    const socket = netConnect({ path, allowHalfOpen: true });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', reject);
  });
};

/**
 * A socket file left at path by an earlier listener is removed before binding, as nc.openbsd
 * does. Only a socket: a regular file or a directory there is somebody's data, and binding
 * fails on it with "Address already in use".
 */
export const removeStaleSocket = (path: string): void => {
  if (isAbstract(path)) return;
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // Nothing there (or not ours to remove): bind() will say what is wrong.
  }
};

/** Node's default backlog for a listener (net.Server.listen). */
const BACKLOG = 511;

/** Listen on a unix stream socket path; resolves with the error if binding fails. */
export const listenUnix = (server: Server, path: string): Promise<unknown> => {
  const native = isAbstract(path) ? loadNative(abstractFeature) : undefined;
  return new Promise((resolve) => {
    let target: { path: string } | { fd: number };
    if (native !== undefined) {
      try {
        target = { fd: native.streamListen(Buffer.from(path), BACKLOG) };
      } catch (error) {
        resolve(error);
        return;
      }
    } else {
      removeStaleSocket(path);
      target = { path };
    }
    const onError = (error: unknown): void => resolve(error);
    server.once('error', onError);
    server.listen(target, () => {
      server.removeListener('error', onError);
      resolve(undefined);
    });
  });
};
