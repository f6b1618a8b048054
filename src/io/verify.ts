import { createHash } from 'node:crypto';
import { messages } from '../messages.js';
import { mapSink, type Sink, type Source } from './endpoints.js';

/**
 * --verify's trailer, sent after the last byte of stdin: a magic, the byte count (uint64, big
 * endian) and the sha256 of those bytes. 48 bytes, so the receiver holds back only that much.
 */
const MAGIC = Buffer.from('TSNCv1\0\0', 'latin1');
export const TRAILER_LENGTH = MAGIC.length + 8 + 32;

const trailer = (bytes: number, digest: Buffer): Buffer => {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(bytes));
  return Buffer.concat([MAGIC, length, digest]);
};

/**
 * --verify (both ends tsnc): stdin's bytes go out followed by the trailer; what arrives is
 * passed on to stdout except its last 48 bytes, which must be the trailer of exactly what was
 * passed on. finish() says whether they were.
 */
export class Verifier {
  private sent = 0;
  private readonly sentHash = createHash('sha256');
  private received = 0;
  private readonly receivedHash = createHash('sha256');
  private tail = Buffer.alloc(0);
  private inner: Sink | undefined;
  /** A session used the source: without one (the connect failed) there is nothing to verify. */
  private attached = false;
  /** The trailer went out (once: at stdin's EOF, or at a session end before it). */
  private trailerSent = false;

  /** The trailer of what was sent so far, once; undefined after that. */
  private sendTrailer(): Buffer | undefined {
    if (this.trailerSent) return undefined;
    this.trailerSent = true;
    return trailer(this.sent, this.sentHash.digest());
  }

  /**
   * stdin, then the trailer at its EOF (also for an empty or disabled stdin), or when the
   * session ends at the peer's EOF before that.
   */
  source(inner: Source): Source {
    return {
      get ended() {
        return inner.ended;
      },
      isTTY: inner.isTTY,
      isRegularFile: inner.isRegularFile,
      attach: (consumer) => {
        this.attached = true;
        inner.attach({
          onData: (chunk) => {
            this.sent += chunk.length;
            this.sentHash.update(chunk);
            consumer.onData(chunk);
          },
          onEnd: () => {
            const last = this.sendTrailer();
            if (last !== undefined) consumer.onData(last);
            consumer.onEnd();
          },
        });
      },
      detach: () => inner.detach(),
      pause: () => inner.pause(),
      resume: () => inner.resume(),
      // The peer's EOF ended the session first (stdin a terminal, a pipe that sent nothing yet, or
      // /dev/null whose EOF had not been seen): the trailer still goes out, for the bytes sent.
      endWithoutEof: () => (this.attached ? this.sendTrailer() : undefined),
    };
  }

  /** stdout, minus the trailer: the last 48 bytes seen are held back until the end. */
  sink(inner: Sink): Sink {
    this.inner = inner;
    // The last bytes are kept as a copy: the chunk itself may live in a reused buffer.
    return mapSink(inner, (chunk) => {
      const all = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk]);
      if (all.length <= TRAILER_LENGTH) {
        this.tail = Buffer.from(all);
        return true;
      }
      const out = all.subarray(0, all.length - TRAILER_LENGTH);
      this.tail = Buffer.from(all.subarray(all.length - TRAILER_LENGTH));
      this.received += out.length;
      this.receivedHash.update(out);
      return inner.write(out);
    });
  }

  /**
   * After the session: undefined if what arrived ended in the trailer of exactly the bytes
   * before it, else why not. Bytes held back that are not a trailer are data: they go to stdout.
   * Nothing at all is fine only for a side that sent data itself (its peer may never end stdin).
   * Settled once: a later call gives the same answer and writes nothing.
   */
  finish(): string | undefined {
    this.outcome ??= { problem: this.settle() };
    return this.outcome.problem;
  }

  private outcome: { readonly problem: string | undefined } | undefined;

  private settle(): string | undefined {
    if (!this.attached) return undefined;
    const { tail } = this;
    if (tail.length === TRAILER_LENGTH && tail.subarray(0, MAGIC.length).equals(MAGIC)) {
      const expected = Number(tail.readBigUInt64BE(MAGIC.length));
      if (expected !== this.received) return messages.verifyShort(this.received, expected);
      const digest = this.receivedHash.digest();
      if (!digest.equals(tail.subarray(MAGIC.length + 8))) return messages.verifyCorrupt(this.received);
      return undefined;
    }
    if (tail.length > 0) this.inner?.write(tail);
    this.received += tail.length;
    if (this.received === 0 && this.sent > 0) return undefined;
    return messages.verifyNoTrailer(this.received);
  }
}
