import { createHash, type Hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { mapSink, mapSource, type Sink, type Source } from './endpoints.js';

/** Bytes (and their sha256) in one direction. */
class Tally {
  bytes = 0;
  private readonly hash: Hash | undefined;

  constructor(withHash: boolean) {
    this.hash = withHash ? createHash('sha256') : undefined;
  }

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
  }

  private hex: string | undefined;

  /** The sha256 in hex ('' without one); final once asked for. */
  digest(): string {
    this.hex ??= this.hash?.digest('hex') ?? '';
    return this.hex;
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** 1536 -> `1.5 KiB`. */
export const humanBytes = (bytes: number): string => {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
};

/** 75 -> `1:15`. */
const clock = (seconds: number): string => {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
};

/** How often the live --progress line is redrawn on a terminal. */
const REDRAW_MS = 250;

/**
 * --sha256 and --progress: counts (and hashes) the bytes stdin hands to the connection and the
 * bytes the connection hands to stdout, by wrapping both ends; the relay is not touched.
 */
export class Meter {
  private readonly sent: Tally;
  private readonly received: Tally;
  /** When the session began (stdin attached to a connection): a listener's wait is not counted. */
  private started: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      readonly sha256: boolean;
      readonly progress: boolean;
      /** stderr is a terminal: a live line, redrawn in place. */
      readonly live: boolean;
      /** The size of a regular-file stdin: progress shows a percentage and an ETA. */
      readonly expectedBytes: number | undefined;
      /** --rate in bytes a second: shown beside the send rate. */
      readonly rateLimit?: number | undefined;
      /** Write to stderr (raw: the caller adds nothing). */
      readonly write: (text: string) => void;
      readonly progName: string;
    },
  ) {
    this.sent = new Tally(options.sha256);
    this.received = new Tally(options.sha256);
    if (options.progress && options.live) {
      this.timer = setInterval(() => this.redraw(), REDRAW_MS);
      this.timer.unref();
    }
  }

  /** Bytes from stdin to the connection so far. */
  get sentBytes(): number {
    return this.sent.bytes;
  }

  /** Bytes from the connection to stdout so far. */
  get receivedBytes(): number {
    return this.received.bytes;
  }

  /** The sha256 of each direction (--sha256), final once asked for; undefined without --sha256. */
  digests(): { sent: string; received: string } | undefined {
    return this.options.sha256 ? { sent: this.sent.digest(), received: this.received.digest() } : undefined;
  }

  /** stdin, counted on its way to the connection. */
  source(inner: Source): Source {
    const counted = mapSource(inner, (chunk) => {
      this.sent.add(chunk);
      return chunk;
    });
    return {
      ...counted,
      get ended() {
        return inner.ended;
      },
      attach: (consumer) => {
        this.started ??= performance.now();
        counted.attach(consumer);
      },
    };
  }

  /** Seconds since the session began (0 before). */
  private elapsed(): number {
    return this.started === undefined ? 0 : (performance.now() - this.started) / 1000;
  }

  /** stdout, counted on its way from the connection. */
  sink(inner: Sink): Sink {
    return mapSink(inner, (chunk) => {
      this.received.add(chunk);
      return inner.write(chunk);
    });
  }

  private rate(bytes: number, seconds: number): string {
    return `${humanBytes(seconds > 0 ? bytes / seconds : 0)}/s`;
  }

  /** The send rate, and with --rate its limit. */
  private sendRate(seconds: number): string {
    const limit = this.options.rateLimit;
    const rate = this.rate(this.sent.bytes, seconds);
    return limit === undefined ? rate : `${rate}, limit ${humanBytes(limit)}/s`;
  }

  /** The live line: bytes, rate, and with a known size the share done and the time left. */
  private line(): string {
    const seconds = this.elapsed();
    const { expectedBytes } = this.options;
    let sent = `sent ${humanBytes(this.sent.bytes)}`;
    if (expectedBytes !== undefined && expectedBytes > 0) {
      const share = Math.min(100, Math.floor((this.sent.bytes / expectedBytes) * 100));
      const speed = seconds > 0 ? this.sent.bytes / seconds : 0;
      const eta = speed > 0 ? clock((expectedBytes - this.sent.bytes) / speed) : '?';
      sent += ` of ${humanBytes(expectedBytes)} (${share}%, ETA ${eta})`;
    }
    return `${this.options.progName}: ${sent}, ${this.sendRate(seconds)}; received ${humanBytes(this.received.bytes)}, ${this.rate(this.received.bytes, seconds)}`;
  }

  private redraw(): void {
    this.options.write(`\r${this.line()}\x1b[K`);
  }

  /** The end: stop the live line, then the summary (--progress) and the hashes (--sha256). */
  finish(): void {
    clearInterval(this.timer);
    const { progName, write } = this.options;
    if (this.options.progress) {
      if (this.options.live) write('\r\x1b[K');
      const seconds = this.elapsed();
      // Words in ncat's order (`5 bytes sent, 0 bytes received in 0.01 seconds`): no line of
      // --progress starts like --sha256's `sent N bytes, sha256 ...`, which scripts compare.
      write(
        `${progName}: ${this.sent.bytes} bytes sent (${this.sendRate(seconds)}), ${this.received.bytes} bytes received (${this.rate(this.received.bytes, seconds)}) in ${seconds.toFixed(2)} s\n`,
      );
    }
    if (this.options.sha256) {
      write(`${progName}: sent ${this.sent.bytes} bytes, sha256 ${this.sent.digest()}\n`);
      write(`${progName}: received ${this.received.bytes} bytes, sha256 ${this.received.digest()}\n`);
    }
  }
}
