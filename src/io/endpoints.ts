import type { Readable, Writable } from 'node:stream';
import { errorCode } from '../errors.js';
import { flushed, type StdioKind } from './stdio.js';

/** Who receives a source's bytes right now (the current session). */
export interface InputConsumer {
  onData(chunk: Buffer): void;
  onEnd(): void;
}

/** Where a session's outgoing bytes come from: stdin, an -e child's stdout, or a transform of one. */
export interface Source {
  /** EOF has been seen: nothing more will come. */
  readonly ended: boolean;
  readonly isTTY: boolean;
  readonly isRegularFile: boolean;
  attach(consumer: InputConsumer): void;
  detach(): void;
  pause(): void;
  resume(): void;
  /**
   * Bytes to send when the session ends at the peer's EOF before this source's own EOF
   * (--verify's trailer for what went out until then); undefined or absent: nothing.
   */
  endWithoutEof?(): Buffer | undefined;
}

/** Where a session's incoming bytes go: stdout, or an -e child's stdin. */
export interface Sink {
  readonly usable: boolean;
  readonly failure: unknown;
  write(chunk: Buffer): boolean;
  /**
   * The sink still refers to a chunk written to it (a pipe the kernel did not take it all from).
   * Absent: the sink may keep chunks, so it is handed copies of a reused buffer.
   */
  readonly holding?: boolean;
  whenWritable(callback: () => void): void;
  onUnusable(callback: () => void): () => void;
  flush(): Promise<void>;
  /** No more bytes will come (only sinks a session owns, such as a child's stdin, close). */
  end(): void;
}

/**
 * A source that reshapes another one's bytes (-i's lines, --rate's pace): what it says of the
 * terminal and the file is the inner source's.
 */
export abstract class SourceFilter implements Source {
  constructor(protected readonly inner: Source) {}

  abstract readonly ended: boolean;

  get isTTY(): boolean {
    return this.inner.isTTY;
  }

  get isRegularFile(): boolean {
    return this.inner.isRegularFile;
  }

  abstract attach(consumer: InputConsumer): void;
  abstract detach(): void;
  abstract pause(): void;
  abstract resume(): void;
}

/**
 * tsnc's stdin: one stream that outlives sessions (-k hands it from client to client). Read
 * only while a session is attached, so bytes typed between clients go to the next one. Also an
 * -e child's stdout, for the one session it belongs to.
 */
export class StdinSource implements Source {
  /** EOF has been seen: nothing more will come. */
  ended = false;
  private consumer: InputConsumer | undefined;

  private constructor(
    private readonly stream: Readable | undefined,
    readonly isTTY: boolean,
    readonly isRegularFile: boolean,
  ) {
    if (stream === undefined) {
      this.ended = true;
      return;
    }
    stream.pause();
    stream.on('data', (chunk: Buffer) => {
      if (this.consumer === undefined) {
        stream.pause();
        stream.unshift(chunk);
        return;
      }
      this.consumer.onData(chunk);
    });
    const onEof = (): void => {
      if (this.ended) return;
      this.ended = true;
      this.consumer?.onEnd();
    };
    stream.on('end', onEof);
    // A read error (EIO from a hung-up terminal, say) ends input like EOF, as in nc.
    stream.on('error', onEof);
  }

  /** stdin as the given stream. */
  static of(stream: Readable, kind: StdioKind): StdinSource {
    return new StdinSource(stream, kind === 'tty', kind === 'file');
  }

  /** -d: stdin is never read; it counts as an empty, already ended input. */
  static disabled(): StdinSource {
    return new StdinSource(undefined, false, false);
  }

  attach(consumer: InputConsumer): void {
    this.consumer = consumer;
    if (this.ended) {
      queueMicrotask(() => {
        if (this.consumer === consumer) consumer.onEnd();
      });
      return;
    }
    this.stream?.resume();
  }

  detach(): void {
    this.consumer = undefined;
    this.stream?.pause();
  }

  pause(): void {
    this.stream?.pause();
  }

  resume(): void {
    if (this.consumer !== undefined) this.stream?.resume();
  }
}

/**
 * tsnc's stdout (or an -e child's stdin). A reader that goes away (EPIPE) is expected: output is
 * then discarded, quietly. Any other write error (ENOSPC, EIO) is a failure the user must hear about.
 */
export class StdoutSink implements Sink {
  /** The reader went away; further output is dropped. */
  broken = false;
  /** A write error other than EPIPE. */
  failure: unknown = undefined;
  private readonly failListeners = new Set<() => void>();

  /** closesAtEnd: end() ends the stream (a child's stdin); stdout itself is never closed. */
  constructor(
    private readonly stream: Writable,
    private readonly closesAtEnd = false,
  ) {
    stream.on('error', (error: unknown) => {
      if (this.broken || this.failure !== undefined) return;
      if (errorCode(error) === 'EPIPE') this.broken = true;
      else this.failure = error;
      for (const listener of [...this.failListeners]) listener();
    });
  }

  get usable(): boolean {
    return !this.broken && this.failure === undefined;
  }

  get holding(): boolean {
    return this.usable && this.stream.writableLength > 0;
  }

  /** Write a chunk; false means wait for whenWritable() before writing more. */
  write(chunk: Buffer): boolean {
    if (!this.usable) return true;
    return this.stream.write(chunk);
  }

  /** Call back once the stream wants more data, or has failed. */
  whenWritable(callback: () => void): void {
    const done = (): void => {
      this.stream.removeListener('drain', done);
      this.failListeners.delete(done);
      callback();
    };
    this.stream.once('drain', done);
    this.failListeners.add(done);
  }

  /** Call back when stdout stops being usable. Returns a function that cancels it. */
  onUnusable(callback: () => void): () => void {
    this.failListeners.add(callback);
    return () => this.failListeners.delete(callback);
  }

  /** Everything written so far has reached the kernel (or the stream has failed). */
  flush(): Promise<void> {
    return this.usable ? flushed(this.stream) : Promise.resolve();
  }

  end(): void {
    if (this.closesAtEnd && this.usable) this.stream.end();
  }
}

/** A source whose chunks pass through fn on the way out (-C); everything else is the inner source's. */
export const mapSource = (inner: Source, fn: (chunk: Buffer) => Buffer): Source => ({
  get ended() {
    return inner.ended;
  },
  isTTY: inner.isTTY,
  isRegularFile: inner.isRegularFile,
  attach: (consumer) =>
    inner.attach({ onData: (chunk) => consumer.onData(fn(chunk)), onEnd: () => consumer.onEnd() }),
  detach: () => inner.detach(),
  pause: () => inner.pause(),
  resume: () => inner.resume(),
});

/**
 * A sink whose writes go through write() (which passes them on to inner, or not); everything
 * else is the inner sink's. write() must not keep a chunk: it may live in a reused buffer.
 */
export const mapSink = (inner: Sink, write: (chunk: Buffer) => boolean): Sink => ({
  get usable() {
    return inner.usable;
  },
  get failure() {
    return inner.failure;
  },
  get holding() {
    return inner.holding;
  },
  write,
  whenWritable: (callback) => inner.whenWritable(callback),
  onUnusable: (callback) => inner.onUnusable(callback),
  flush: () => inner.flush(),
  end: () => inner.end(),
});
