import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';

/** A UDP socket in the test process on 127.0.0.1: what arrived, from whom, and a way to answer. */
export interface UdpPeer {
  readonly socket: Socket;
  readonly port: number;
  /** Every datagram so far, in order. */
  datagrams(): { data: Buffer; from: RemoteInfo }[];
  /** Resolves once at least n datagrams have arrived. */
  receivedAtLeast(n: number, ms?: number): Promise<void>;
  send(data: string | Buffer, port: number): Promise<void>;
  close(): void;
}

/** Bind a UDP socket on 127.0.0.1 (port 0 unless given). */
export const udpPeer = async (port = 0): Promise<UdpPeer> => {
  const socket = createSocket('udp4');
  const got: { data: Buffer; from: RemoteInfo }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  socket.on('message', (data, from) => {
    got.push({ data, from });
    for (const waiter of waiters.filter((w) => got.length >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  // ICMP errors for what this socket sent are cases under test, not failures of the test.
  socket.on('error', () => undefined);
  socket.bind(port, '127.0.0.1');
  await once(socket, 'listening');
  return {
    socket,
    port: socket.address().port,
    datagrams: () => [...got],
    receivedAtLeast: (n, ms = 10_000) =>
      got.length >= n
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            waiters.push({ n, resolve });
            setTimeout(
              () => reject(new Error(`got ${got.length} of ${n} datagrams within ${ms} ms`)),
              ms,
            ).unref();
          }),
    send: (data, to) =>
      new Promise((resolve, reject) =>
        socket.send(data, to, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      ),
    close: () => socket.close(),
  };
};

/** A UDP port with nobody on it (bound a moment ago, then released). */
export const closedUdpPort = async (): Promise<number> => {
  const peer = await udpPeer();
  const { port } = peer;
  peer.close();
  return port;
};
