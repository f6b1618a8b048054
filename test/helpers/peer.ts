import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** One connection as the test's own peer sees it: what arrived, and when the FIN came. */
export interface PeerConnection {
  readonly socket: Socket;
  received(): Buffer;
  /** True once tsnc's FIN (half-close) has arrived. */
  finSeen(): boolean;
  /** Resolves when tsnc's FIN arrives. */
  readonly fin: Promise<void>;
  /** Resolves when the connection is fully closed. */
  readonly closed: Promise<void>;
  /** Resolves once at least n bytes have arrived. */
  receivedAtLeast(n: number, ms?: number): Promise<void>;
}

const watch = (socket: Socket): PeerConnection => {
  const chunks: Buffer[] = [];
  let size = 0;
  let fin = false;
  const waiters: { n: number; resolve: () => void }[] = [];
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    for (const waiter of waiters.filter((w) => size >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  socket.on('error', () => {
    // A reset from tsnc is a case under test; the close promise reports it.
  });
  const finPromise = new Promise<void>((resolve) =>
    socket.once('end', () => {
      fin = true;
      resolve();
    }),
  );
  return {
    socket,
    received: () => Buffer.concat(chunks),
    finSeen: () => fin,
    fin: finPromise,
    closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
    receivedAtLeast: (n, ms = 10_000) =>
      size >= n
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ n, resolve });
            setTimeout(() => reject(new Error(`peer got ${size} of ${n} bytes within ${ms} ms`)), ms).unref();
          }),
  };
};

/** A TCP server in the test process on 127.0.0.1 (allowHalfOpen, so a FIN is seen as such). */
export const peerServer = async (): Promise<{
  server: Server;
  port: number;
  /** The next accepted connection. */
  accepted(): Promise<PeerConnection>;
  close(): void;
}> => {
  const server = createServer({ allowHalfOpen: true });
  const queue: PeerConnection[] = [];
  const wakers: ((c: PeerConnection) => void)[] = [];
  server.on('connection', (socket) => {
    const conn = watch(socket);
    const waker = wakers.shift();
    if (waker) waker(conn);
    else queue.push(conn);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    accepted: () => {
      const ready = queue.shift();
      return ready ? Promise.resolve(ready) : new Promise((resolve) => wakers.push(resolve));
    },
    close: () => {
      server.close();
    },
  };
};

/** Connect from the test process to a tsnc listener, as its peer. */
export const peerClient = async (port: number, host = '127.0.0.1'): Promise<PeerConnection> => {
  const socket = connect({ port, host, allowHalfOpen: true });
  await once(socket, 'connect');
  return watch(socket);
};

/** Wait ms: only to give a wrong FIN the chance to show up, never to synchronise. */
/** The error a socket ends with (undefined: it closed without one). */
export const closedWith = (socket: Socket): Promise<NodeJS.ErrnoException | undefined> =>
  new Promise((resolve) => {
    let failure: NodeJS.ErrnoException | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure = error;
    });
    socket.once('close', () => resolve(failure));
  });

export const quietPeriod = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free a moment ago (bound to port 0, then released), for syntaxes that cannot take 0. */
export const freePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
