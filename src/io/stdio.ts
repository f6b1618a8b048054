import { createReadStream, fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { Writable, type Readable } from 'node:stream';
import { isatty, ReadStream as TtyReadStream, WriteStream as TtyWriteStream } from 'node:tty';
import { READ_CHUNK, ReusingFileReader, ReusingPipeReader } from './read-buffer.js';

/** What a standard stream is attached to; it decides how we read or write it. */
export type StdioKind = 'tty' | 'file' | 'pipe' | 'device';

/** Classify fd: a regular file, a terminal, a pipe or socket, or another device (/dev/null). */
export const stdioKind = (fd: number): StdioKind => {
  if (isatty(fd)) return 'tty';
  const stat = fstatSync(fd);
  if (stat.isFile()) return 'file';
  if (stat.isFIFO() || stat.isSocket()) return 'pipe';
  return 'device';
};

/**
 * A readable for fd 0 that suits what it is. process.stdin is not used: a pipe gets a
 * non-blocking socket (so a slow or silent writer never blocks the event loop), a regular
 * file gets large reads. With reuse, a pipe or a file is read into one buffer again and again
 * (read-buffer.ts): a chunk is then valid only during its 'data' event, or until resume() when
 * the handler pauses, and the consumer must not keep it longer.
 */
export const openInput = (fd: number, kind: StdioKind, reuse = false): Readable => {
  if (reuse && kind === 'pipe') return new ReusingPipeReader(fd) as unknown as Readable;
  if (reuse && kind === 'file') return new ReusingFileReader(fd) as unknown as Readable;
  switch (kind) {
    case 'tty':
      return new TtyReadStream(fd);
    case 'pipe':
      return new Socket({ fd, readable: true, writable: false, allowHalfOpen: true });
    case 'file':
      return createReadStream('', { fd, autoClose: false, highWaterMark: READ_CHUNK });
    case 'device':
      return createReadStream('', { fd, autoClose: false });
  }
};

/**
 * A writable for fd 1. process.stdout writes pipes synchronously on Linux, which would stall
 * the other direction behind a slow reader; a socket on the pipe writes asynchronously with
 * backpressure. The fd is never closed by us, so Node restores its flags at exit.
 */
export const openOutput = (fd: number, kind: StdioKind): Writable => {
  switch (kind) {
    case 'tty':
      return new TtyWriteStream(fd);
    case 'pipe':
      return new Socket({ fd, readable: false, writable: true });
    case 'file':
    case 'device':
      return new SyncFileWriter(fd);
  }
};

/**
 * stdout on a regular file or a device (/dev/null, /dev/full): each chunk is written at once with
 * write(2), as nc does (poll() reports such files always writable). fs.createWriteStream would
 * take a threadpool round trip per chunk and ask for 'drain' after every 16 KiB, which halves a
 * transfer's speed into a file. write() never asks to wait: the chunk is on disk when it returns.
 */
class SyncFileWriter extends Writable {
  constructor(private readonly fd: number) {
    super({ highWaterMark: 1 << 24 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      for (let offset = 0; offset < chunk.length;) offset += writeSync(this.fd, chunk, offset);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

const EMPTY = Buffer.alloc(0);

/** Resolve once everything written so far has left the stream (or the stream has failed). */
export const flushed = (stream: Writable): Promise<void> =>
  new Promise((resolve) => {
    if (stream.destroyed || stream.writableLength === 0) {
      resolve();
      return;
    }
    stream.write(EMPTY, () => resolve());
  });
