import { SourceFilter, type InputConsumer, type Source } from './endpoints.js';

const LF = 0x0a;
/** A "line" without an LF is cut here, so binary input cannot pile up in memory. */
const MAX_LINE = 16384;

/** Split off the first line (up to and including its LF), or undefined if none is complete yet. */
export const firstLine = (buffered: Buffer, final: boolean): [Buffer, Buffer] | undefined => {
  const lf = buffered.indexOf(LF);
  const end = lf !== -1 ? lf + 1 : buffered.length >= MAX_LINE ? MAX_LINE : final ? buffered.length : 0;
  if (end === 0) return undefined;
  return [buffered.subarray(0, end), buffered.subarray(end)];
};

/**
 * -i N: one line at a time, then a pause of N seconds, as Debian's nc.openbsd does ("sleeps after
 * each line": lines at 0, 1, 2 s and the FIN after the last pause). Lines not yet sent when a
 * session ends stay for the next one (-k).
 */
export class PacedSource extends SourceFilter {
  private consumer: InputConsumer | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private innerEnded = false;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    inner: Source,
    private readonly delayMs: number,
  ) {
    super(inner);
  }

  get ended(): boolean {
    return this.innerEnded && this.buffered.length === 0;
  }

  attach(consumer: InputConsumer): void {
    this.consumer = consumer;
    this.paused = false;
    this.inner.attach({
      onData: (chunk) => {
        this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
        this.inner.pause();
        this.pump();
      },
      onEnd: () => {
        this.innerEnded = true;
        this.pump();
      },
    });
  }

  detach(): void {
    this.consumer = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inner.detach();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  private pump(): void {
    const consumer = this.consumer;
    if (consumer === undefined || this.paused || this.timer !== undefined) return;
    const split = firstLine(this.buffered, this.innerEnded);
    if (split === undefined) {
      if (this.innerEnded) consumer.onEnd();
      else this.inner.resume();
      return;
    }
    const [line, rest] = split;
    this.buffered = rest;
    consumer.onData(line);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, this.delayMs);
  }
}
