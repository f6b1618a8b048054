import { EventEmitter } from 'node:events';
import { fstatSync, readSync } from 'node:fs';
import { Socket } from 'node:net';
import { widenPipe } from '../net/native.js';

/**
 * Reading into one reused buffer instead of a fresh one per read. A fresh buffer per read is
 * garbage that V8 frees only at a GC, which it starts only after external memory has grown by
 * about 64 MiB: that was most of tsnc's peak RSS (bench/PROFILE.md §2). A chunk handed out here
 * is valid only until the callback returns, or, when the consumer pauses, until it resumes.
 */

/** The part of a libuv stream handle (tcp_wrap, pipe_wrap) that reading into a user buffer needs. */
interface StreamHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

const handleOf = (socket: Socket): StreamHandle | null =>
  (socket as unknown as { _handle: StreamHandle | null })._handle;

const symbolNamed = (object: object, name: string): symbol | undefined =>
  Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === name);

let kBuffer: symbol | undefined;
let kBufferCb: symbol | undefined;

/**
 * Every read, of a socket, a pipe or a regular file, takes up to 1 MiB: the JavaScript that runs
 * per read (Node's stream machinery, the relay) then costs little per byte, also without V8's
 * optimizing compiler (src/v8-tiers.ts). A pipe on stdin is widened to match (64 KiB by
 * default); a socket's read takes what its queue holds.
 */
export const READ_CHUNK = 1 << 20;

/** False once a pipe on stdin could not be widened (no addon): its reads stay at 64 KiB. */
let readsLarge = true;

/** Whether every read can be as large as READ_CHUNK: the relay does without TurboFan only then. */
export const largeReads = (): boolean => readsLarge;

/** One buffer for every session that relays to stdout: they run one at a time. */
let received: Buffer | undefined;

/**
 * Make a connected socket read into the shared receive buffer and hand each chunk to onChunk
 * (return false: stop reading until socket.resume(), as with `onread`). Node 20 offers `onread`
 * only to sockets it creates by connect(), not to the ones a server accepts; the same two fields
 * that `onread` sets are set here, found by name. Returns false, changing nothing, where they are
 * not there (another Node version): the caller then reads with 'data' events as before.
 */
export const readIntoSharedBuffer = (socket: Socket, onChunk: (chunk: Buffer) => boolean): boolean => {
  // Looked up once: the same symbols serve every socket (-k looks them up per client otherwise).
  kBuffer ??= symbolNamed(socket, 'kBuffer');
  kBufferCb ??= symbolNamed(socket, 'kBufferCb');
  const handle = handleOf(socket);
  if (kBuffer === undefined || kBufferCb === undefined || typeof handle?.useUserBuffer !== 'function')
    return false;
  received ??= Buffer.allocUnsafeSlow(READ_CHUNK);
  const buffer = received;
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[kBuffer] = buffer;
  fields[kBufferCb] = (length: number) => onChunk(buffer.subarray(0, length));
  handle.useUserBuffer(buffer);
  return true;
};

/**
 * A readable-like source over one reused buffer, with what StdinSource uses of a Readable:
 * 'data' / 'end' / 'error', pause(), resume() and unshift(). What arrives while paused is copied
 * and kept (it must outlive the buffer's next read).
 */
abstract class ReusingReader extends EventEmitter {
  protected paused = true;
  private readonly kept: Buffer[] = [];

  /** Deliver a chunk that lives in the reused buffer. Returns whether to go on reading. */
  protected deliver(chunk: Buffer): boolean {
    if (this.paused) {
      this.kept.push(Buffer.from(chunk));
      return false;
    }
    this.emit('data', chunk);
    return !this.paused;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    if (!this.paused) return this;
    this.paused = false;
    while (!this.paused && this.kept.length > 0) this.emit('data', this.kept.shift());
    if (!this.paused) this.readMore();
    return this;
  }

  unshift(chunk: Buffer): void {
    this.kept.unshift(Buffer.from(chunk));
  }

  /** Resumed with nothing kept: read on (or report the EOF already seen). */
  protected abstract readMore(): void;
}

/**
 * stdin on a pipe or socket: a non-blocking socket reading into one buffer (public `onread`); a
 * pipe is widened first, so that a read can fill it.
 */
export class ReusingPipeReader extends ReusingReader {
  private eof = false;
  private readonly socket: Socket;

  constructor(fd: number) {
    super();
    const buffer = Buffer.allocUnsafeSlow(READ_CHUNK);
    if (fstatSync(fd).isFIFO() && !widenPipe(fd, READ_CHUNK)) readsLarge = false;
    this.socket = new Socket({
      fd,
      readable: true,
      writable: false,
      allowHalfOpen: true,
      onread: { buffer, callback: (length: number) => this.deliver(buffer.subarray(0, length)) },
    } as ConstructorParameters<typeof Socket>[0]);
    this.socket.on('end', () => {
      this.eof = true;
      if (!this.paused) this.emit('end');
    });
    this.socket.on('error', (error) => this.emit('error', error));
    // Flowing, so that the EOF is reported; the bytes themselves come through onread.
    this.socket.resume();
  }

  protected readMore(): void {
    if (this.eof) this.emit('end');
    else this.socket.resume(); // after onread's false: reads again (net.Socket's resume())
  }
}

/**
 * stdin on a regular file: read(2) into one 1 MiB buffer, one read per turn of the event loop so
 * the other direction runs between them. A regular file never blocks (nc reads it the same way);
 * a threadpool round trip per chunk is what fs.ReadStream would add.
 */
export class ReusingFileReader extends ReusingReader {
  private scheduled = false;
  private done = false;
  private readonly buffer = Buffer.allocUnsafeSlow(READ_CHUNK);

  constructor(private readonly fd: number) {
    super();
  }

  protected readMore(): void {
    if (this.scheduled || this.done) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.paused) this.readOnce();
    });
  }

  private readOnce(): void {
    let length: number;
    try {
      length = readSync(this.fd, this.buffer, 0, this.buffer.length, null);
    } catch (error) {
      this.done = true;
      this.emit('error', error);
      return;
    }
    if (length === 0) {
      this.done = true;
      this.emit('end');
      return;
    }
    if (this.deliver(this.buffer.subarray(0, length))) this.readMore();
  }
}
