// --rate: stdin paced to at most so many bytes per second, like pv -L, by a token bucket.
import { performance } from 'node:perf_hooks';
import { SourceFilter, type InputConsumer, type Source } from './endpoints.js';

/** A piece is at most this long a share of a second: the pace stays even with 1 MiB reads. */
const PIECES_PER_SECOND = 20;
/** Pieces are never smaller than this (a slow rate would otherwise mean one-byte writes). */
const MIN_PIECE = 1024;

/**
 * A token bucket: `rate` tokens (bytes) a second, at most `burst` saved up. take() may drive the
 * level below zero (a whole datagram must go at once); waitMs() says how long until it is
 * positive again. Time is passed in, so the arithmetic is tested without a clock.
 */
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    this.level = burst;
    this.last = now;
  }

  private refill(now: number): void {
    this.level = Math.min(this.burst, this.level + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /** How many bytes may go now (0 when the bucket is empty or in debt). */
  available(now: number): number {
    this.refill(now);
    return Math.max(0, Math.floor(this.level));
  }

  take(bytes: number, now: number): void {
    this.refill(now);
    this.level -= bytes;
  }

  /** Milliseconds until at least `bytes` (at most the burst) may go. */
  waitMs(bytes: number, now: number): number {
    this.refill(now);
    const wanted = Math.min(bytes, this.burst);
    return this.level >= wanted ? 0 : ((wanted - this.level) / this.rate) * 1000;
  }
}

/**
 * stdin at most `rate` bytes a second. A stream's chunks are cut into pieces the bucket allows;
 * the rest of a chunk is copied (stdin may read into the same memory again) and held, with
 * stdin paused, until its time comes. Datagrams (`split` false) go whole: the bucket goes into
 * debt and the next one waits. EOF is passed on once everything held has gone.
 */
export class RateLimitedSource extends SourceFilter {
  private readonly bucket: TokenBucket;
  private readonly piece: number;
  private consumer: InputConsumer | undefined;
  private held: Buffer | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The session paused us (its socket still holds a chunk). */
  private pausedByConsumer = false;
  private innerEnded = false;

  constructor(
    inner: Source,
    rate: number,
    private readonly split: boolean,
  ) {
    super(inner);
    this.piece = Math.max(MIN_PIECE, Math.floor(rate / PIECES_PER_SECOND));
    this.bucket = new TokenBucket(rate, this.piece, performance.now());
  }

  get ended(): boolean {
    return this.innerEnded && this.held === undefined;
  }

  attach(consumer: InputConsumer): void {
    this.consumer = consumer;
    this.pausedByConsumer = false;
    this.inner.attach({
      onData: (chunk) => this.push(chunk),
      onEnd: () => {
        this.innerEnded = true;
        if (this.held === undefined && this.timer === undefined) this.consumer?.onEnd();
      },
    });
    // -k: the rest of a chunk the last session did not take goes first to this one.
    if (this.held !== undefined) {
      this.inner.pause();
      this.afterSent();
    }
  }

  detach(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.consumer = undefined;
    this.inner.detach();
  }

  pause(): void {
    this.pausedByConsumer = true;
    this.inner.pause();
  }

  resume(): void {
    this.pausedByConsumer = false;
    if (this.timer !== undefined) return;
    if (this.held !== undefined) this.drain();
    else this.inner.resume();
  }

  /** A chunk from stdin: what the bucket allows goes now, the rest is held. */
  private push(chunk: Buffer): void {
    const held = this.held;
    this.held = undefined;
    this.send(held === undefined ? chunk : Buffer.concat([held, chunk]));
  }

  private drain(): void {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.send(held);
    else this.afterSent();
  }

  private send(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0 && this.consumer !== undefined && !this.pausedByConsumer) {
      const now = performance.now();
      if (!this.split) {
        if (this.bucket.waitMs(1, now) > 0) break;
        this.bucket.take(rest.length, now);
        this.consumer.onData(rest);
        rest = rest.subarray(rest.length);
        break;
      }
      const allowed = Math.min(this.bucket.available(now), this.piece, rest.length);
      if (allowed === 0) break;
      this.bucket.take(allowed, now);
      this.consumer.onData(rest.subarray(0, allowed));
      rest = rest.subarray(allowed);
    }
    if (rest.length > 0) this.held = Buffer.from(rest);
    this.afterSent();
  }

  /** Wait for the bucket (stdin paused meanwhile), or read on, or pass EOF on. */
  private afterSent(): void {
    if (this.consumer === undefined) return;
    const wanted = this.held === undefined ? 1 : this.split ? Math.min(this.piece, this.held.length) : 1;
    const wait = this.bucket.waitMs(wanted, performance.now());
    if (this.held !== undefined || wait > 0) {
      this.inner.pause();
      if (this.pausedByConsumer) return;
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          if (this.pausedByConsumer) return;
          this.drain();
        },
        Math.max(1, Math.ceil(wait)),
      );
      return;
    }
    if (this.innerEnded) {
      this.consumer.onEnd();
      return;
    }
    if (!this.pausedByConsumer) this.inner.resume();
  }
}
