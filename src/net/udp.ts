import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { Duplex } from 'node:stream';
import type { SocketOptions } from '../config.js';

/** nc.openbsd reads stdin 16 KiB at a time and sends each read as one datagram. */
const MAX_DATAGRAM = 16384;

/** A peer's address and port. */
export interface Peer {
  readonly address: string;
  readonly port: number;
}

/**
 * What DatagramConnection needs of a datagram socket: a UDP socket (node:dgram), or a unix
 * datagram socket (net/unix-dgram.ts, where the peer's address is its path and the port 0).
 */
export interface DatagramSocket {
  on(event: 'message', listener: (message: Buffer, from: Peer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  send(message: Buffer, callback: (error: Error | null) => void): void;
  send(message: Buffer, port: number, address: string, callback: (error: Error | null) => void): void;
  connect(port: number, address: string, callback: (error?: Error) => void): void;
  close(): void;
  /**
   * Flow control, where the socket has it (unix datagrams): stop taking datagrams off the kernel's
   * queue while the reader is behind, so that a full queue makes the sender wait.
   */
  pauseReceiving?(): void;
  resumeReceiving?(): void;
}

/** How a DatagramConnection picks whom it talks to. */
export type DatagramPeering =
  /** The socket is connected to its one peer already (connect mode). */
  | { readonly kind: 'connected' }
  /**
   * -u -l: the first sender that accept() lets through becomes the peer and the socket is
   * connected to it, so nobody else gets anything (nc.openbsd).
   */
  | { readonly kind: 'first-sender'; accept(from: Peer): boolean; onPeer(peer: Peer): void }
  /** -u -l -k: datagrams from everybody; what is sent goes to the last sender. */
  | { readonly kind: 'any-sender'; accept(from: Peer): boolean; onNewSender(peer: Peer): void };

const samePeer = (a: Peer | undefined, b: Peer): boolean => a?.address === b.address && a.port === b.port;

/**
 * A UDP association as a stream, so the relay treats it like a connection: each write is sent
 * as datagrams of at most 16 KiB (one per stdin read), each datagram received is one chunk.
 * UDP has no EOF: end() sends nothing, and the stream never ends by itself. An ICMP "port
 * unreachable" arrives as ECONNREFUSED and ends it, quietly (nc exits 0).
 */
export class DatagramConnection extends Duplex {
  private peer: Peer | undefined;
  /** Settles once the socket is connected to its peer (sending waits for it). */
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly socket: DatagramSocket,
    private readonly peering: DatagramPeering,
  ) {
    super({ allowHalfOpen: true });
    socket.on('message', (message: Buffer, info: Peer) => this.onMessage(message, info));
    socket.on('error', (error) => this.destroy(error));
  }

  private onMessage(message: Buffer, info: Peer): void {
    const from = { address: info.address, port: info.port };
    const { peering } = this;
    if (peering.kind === 'first-sender') {
      if (this.peer === undefined) {
        if (!peering.accept(from)) return;
        this.peer = from;
        this.connecting = connectUdp(this.socket, from.address, from.port).catch((error: Error) => {
          this.destroy(error);
        });
        peering.onPeer(from);
      } else if (!samePeer(this.peer, from)) {
        return; // before connect() takes effect, others may still get through: drop them
      }
    } else if (peering.kind === 'any-sender') {
      if (!peering.accept(from)) return;
      if (!samePeer(this.peer, from)) {
        this.peer = from;
        peering.onNewSender(from);
      }
    }
    if (!this.push(message)) this.socket.pauseReceiving?.();
  }

  override _read(): void {
    // UDP datagrams are pushed as they arrive (UDP has no flow control); a unix datagram socket
    // takes more off its queue.
    this.socket.resumeReceiving?.();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const pieces: Buffer[] = [];
    for (let at = 0; at < chunk.length; at += MAX_DATAGRAM)
      pieces.push(chunk.subarray(at, at + MAX_DATAGRAM));
    const sendNext = (): void => {
      const piece = pieces.shift();
      const { peer } = this;
      if (piece === undefined) {
        callback();
        return;
      }
      const done = (error: Error | null): void => (error ? callback(error) : sendNext());
      if (this.peering.kind !== 'any-sender') this.socket.send(piece, done);
      else if (peer !== undefined) this.socket.send(piece, peer.port, peer.address, done);
      else sendNext(); // nobody has sent anything yet: nobody to answer (nc.openbsd -u -l -k sends nowhere)
    };
    if (this.connecting === undefined) sendNext();
    else void this.connecting.then(sendNext);
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
    callback(error);
  }
}

const bound = (socket: DgramSocket, address: string | undefined, port: number | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port: port ?? 0 }, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });

/** A UDP socket for this address family, bound, with -b -I -O applied (they need a bound socket). */
export const openUdp = async (
  forAddress: string,
  localAddress: string | undefined,
  localPort: number | undefined,
  options: SocketOptions,
): Promise<DgramSocket> => {
  const socket = createSocket({ type: isIPv6(forAddress) ? 'udp6' : 'udp4', ipv6Only: false });
  try {
    await bound(socket, localAddress, localPort);
    if (options.broadcast) socket.setBroadcast(true);
    if (options.recvBufferSize !== undefined) socket.setRecvBufferSize(options.recvBufferSize);
    if (options.sendBufferSize !== undefined) socket.setSendBufferSize(options.sendBufferSize);
    if (options.tos !== undefined) (await import('./native.js')).applyDatagramTos(socket, options.tos);
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
};

/** Connect a UDP socket to address:port (this only sets the peer; nothing is sent). */
export const connectUdp = (socket: DatagramSocket, address: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('error', reject);
    // A failed connect (EACCES for a broadcast address without -b) goes to the callback.
    socket.connect(port, address, (error?: Error) => {
      socket.removeListener('error', reject);
      if (error) reject(error);
      else resolve();
    });
  });

/**
 * -u -z: is anything at address:port? nc.openbsd sends a few "X" datagrams and waits 3 s (or -w)
 * for an ICMP "port unreachable"; none means open. A reply means open at once.
 */
export const probeUdp = async (
  address: string,
  port: number,
  waitMs: number,
  options: SocketOptions,
): Promise<boolean> => {
  const socket = await openUdp(address, undefined, undefined, options);
  try {
    await connectUdp(socket, address, port);
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(true), waitMs);
      const settle = (open: boolean): void => {
        clearTimeout(timer);
        resolve(open);
      };
      // The ICMP error is reported by whichever call comes next: a receive or the next send.
      socket.on('error', () => settle(false));
      socket.on('message', () => settle(true));
      for (let i = 0; i < 4; i += 1) {
        socket.send('X', (error) => {
          if (error) settle(false);
        });
      }
    });
  } catch {
    return false;
  } finally {
    socket.close();
  }
};
