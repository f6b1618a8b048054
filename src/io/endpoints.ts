import type { Readable, Writable } from 'node:stream';
import { errorCode } from '../errors.js';
import { flushed, type StdioKind } from './stdio.js';

/** Who receives stdin's bytes right now (the current session). */
export interface InputConsumer {
  onData(chunk: Buffer): void;
  onEnd(): void;
}

/**
 * tsnc's stdin: one stream that outlives sessions (-k hands it from client to client). Read
 * only while a session is attached, so bytes typed between clients go to the next one.
 */
export class StdinSource {
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
 * tsnc's stdout. A reader that goes away (EPIPE) is expected: output is then discarded, quietly.
 * Any other write error (ENOSPC, EIO) is a failure the user must hear about.
 */
export class StdoutSink {
  /** The reader went away; further output is dropped. */
  broken = false;
  /** A write error other than EPIPE. */
  failure: unknown = undefined;
  private readonly failListeners = new Set<() => void>();

  constructor(private readonly stream: Writable) {
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
}
