import { EventEmitter } from 'node:events';
import { mkdtempSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { atExit } from '../at-exit.js';
import { loadNative, type NativeAddon, type NativePoller } from './native.js';
import type { DatagramSocket, Peer } from './udp.js';
import { removeStaleSocket } from './unix.js';

/** At most this many datagrams are read per wake-up, so a flood cannot starve stdin and timers. */
const READS_PER_WAKE = 64;

const pathBytes = (path: string): Buffer => Buffer.from(path);

type SendCallback = (error: Error | null) => void;

/**
 * A unix datagram socket (-U -u) on the native addon, shaped like a node:dgram socket so that
 * DatagramConnection relays it as it relays UDP. A peer is { address: its path, port: 0 };
 * "@name" is an abstract socket and "" a sender that never bound a name. A send that finds the
 * receiver's queue full waits for the socket to become writable: unlike UDP, nothing is dropped.
 */
export class UnixDatagramSocket extends EventEmitter implements DatagramSocket {
  private readonly poller: NativePoller;
  private readonly queue: { data: Buffer; to: Buffer | undefined; callback: SendCallback }[] = [];
  private closed = false;
  /** Taking datagrams off the queue (false while the reader is behind). */
  private receiving = true;
  /** Run at close: remove what this socket created (the client's temporary directory). */
  private cleanup: (() => void) | undefined;

  private constructor(
    private readonly native: NativeAddon,
    private readonly fd: number,
  ) {
    super();
    this.poller = new native.Poller(fd, (status, readable, writable) =>
      this.onReady(status, readable, writable),
    );
  }

  /** A new socket, not yet bound. */
  static open(): UnixDatagramSocket {
    const native = loadNative('unix datagram socket');
    return new UnixDatagramSocket(native, native.dgramOpen());
  }

  /** Bind to path (a stale socket file there is replaced, as nc.openbsd does) and start receiving. */
  bind(path: string): void {
    removeStaleSocket(path);
    this.native.dgramBind(this.fd, pathBytes(path));
    this.watch();
  }

  /**
   * Bind to recv.sock in a new private directory (mode 0700, as Debian's nc.openbsd does with
   * mkdtemp), removed again at close. Returns the path.
   */
  bindTemporary(): string {
    const directory = mkdtempSync(join(tmpdir(), 'tsnc-'));
    const path = join(directory, 'recv.sock');
    const remove = (): void => {
      unlinkSync(path);
      rmdirSync(directory);
    };
    // Also when a signal ends tsnc (src/cli.ts); a SIGKILL leaves them, as it does nc.openbsd's.
    const forget = atExit(remove);
    this.cleanup = () => {
      forget();
      remove();
    };
    try {
      this.bind(path);
    } catch (error) {
      this.cleanup = undefined;
      forget();
      rmdirSync(directory);
      throw error;
    }
    return path;
  }

  /** Only datagrams from path are received, and send() without an address goes there. */
  connectPath(path: string): void {
    this.native.dgramConnect(this.fd, pathBytes(path));
  }

  connect(_port: number, address: string, callback: (error?: Error) => void): void {
    let failure: Error | undefined;
    try {
      this.connectPath(address);
    } catch (error) {
      failure = error as Error;
    }
    queueMicrotask(() => callback(failure));
  }

  send(message: Buffer, callback: SendCallback): void;
  send(message: Buffer, port: number, address: string, callback: SendCallback): void;
  send(message: Buffer, ...rest: [SendCallback] | [number, string, SendCallback]): void {
    const callback = rest.length === 1 ? rest[0] : rest[2];
    const to = rest.length === 1 ? undefined : pathBytes(rest[1]);
    if (this.closed) {
      queueMicrotask(() => callback(Object.assign(new Error('socket is closed'), { code: 'EBADF' })));
      return;
    }
    this.queue.push({ data: message, to, callback });
    if (this.queue.length === 1) this.flush();
  }

  pauseReceiving(): void {
    if (!this.receiving) return;
    this.receiving = false;
    this.watch();
  }

  resumeReceiving(): void {
    if (this.receiving) return;
    this.receiving = true;
    this.watch();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poller.close();
    this.native.close(this.fd);
    for (const pending of this.queue.splice(0)) {
      pending.callback(Object.assign(new Error('socket is closed'), { code: 'EBADF' }));
    }
    try {
      this.cleanup?.();
    } catch {
      // Somebody removed it already.
    }
    this.cleanup = undefined;
  }

  /** Send what is queued, in order, until done or the receiver's queue is full. */
  private flush(): void {
    while (!this.closed) {
      const next = this.queue[0];
      if (next === undefined) break;
      let sent: number;
      try {
        sent = this.native.dgramSend(this.fd, next.data, next.to);
      } catch (error) {
        this.queue.shift();
        next.callback(error as Error);
        continue;
      }
      if (sent < 0) break; // full: wait until writable
      this.queue.shift();
      next.callback(null);
    }
    this.watch();
  }

  private watch(): void {
    if (!this.closed) this.poller.start(this.receiving, this.queue.length > 0);
  }

  private onReady(status: number, readable: boolean, writable: boolean): void {
    if (this.closed) return;
    if (status < 0) {
      this.emit('error', Object.assign(new Error(`poll ${status}`), { errno: status, syscall: 'poll' }));
      return;
    }
    if (writable) this.flush();
    if (!readable) return;
    for (let i = 0; i < READS_PER_WAKE && this.receiving && !this.closed; i += 1) {
      let datagram;
      try {
        datagram = this.native.dgramRecv(this.fd);
      } catch (error) {
        this.emit('error', error);
        return;
      }
      if (datagram === null) return;
      const from: Peer = { address: datagram.from, port: 0 };
      this.emit('message', datagram.data, from);
    }
  }
}
