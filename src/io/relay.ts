import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ShutdownPolicy } from '../config.js';
import { acknowledged } from '../net/acknowledged.js';
import type { Sink, Source } from './endpoints.js';
import { largeReads, readIntoSharedBuffer } from './read-buffer.js';
import { flushed } from './stdio.js';

/** The data-path rules of one session (see "Differences from nc" in docs/options.md). */
export interface RelayRules {
  readonly shutdown: ShutdownPolicy;
  readonly quitAfterEofMs: number | undefined;
  readonly idleTimeoutMs: number | undefined;
  /**
   * What the peer's EOF does once everything received is in the sink: 'nc', the rule of
   * peerEofEndsSession(); 'close-sink', end the sink and go on until the source ends (an -e child
   * gets EOF on its stdin and still answers).
   */
  readonly afterPeerEof?: 'nc' | 'close-sink';
  /** --send-only: read what the peer sends and drop it. */
  readonly discardReceived?: boolean;
  /** -t: bytes to send back for what arrived (telnet refusals), or nothing. */
  readonly answer?: (chunk: Buffer) => Buffer | undefined;
  /** Told the error that ended the session as 'reset' (for the -v line). */
  readonly onReset?: (error: unknown) => void;
  /**
   * Receive into the one shared buffer of read-buffer.ts: only for a session that has stdout to
   * itself (sessions on stdout run one at a time; -e children run side by side).
   */
  readonly sharedReceiveBuffer?: boolean;
}

/** How a session ended. Every way but 'stdout-failed' is a normal end (exit 0), as in nc. */
export type RelayEnd = 'complete' | 'quit' | 'idle' | 'reset' | 'stdout-failed';

/**
 * When to send FIN after stdin's EOF. nc.openbsd never does without -N; ncat and busybox always
 * do, which truncates transfers when that stdin was empty (the peer takes the FIN for the end).
 * tsnc sends it only when stdin carried something: at least one byte, or a regular file.
 */
export const shouldHalfClose = (
  policy: ShutdownPolicy,
  bytesFromStdin: number,
  stdinIsRegularFile: boolean,
): boolean => policy === 'always' || (policy === 'auto' && (bytesFromStdin > 0 || stdinIsRegularFile));

/**
 * When the peer's EOF ends the session: once everything received is on stdout, stop if stdin
 * has ended, is a terminal, or has carried nothing (and is not a regular file with bytes
 * left). Otherwise stdin is still sending: keep forwarding it until its EOF.
 */
export const peerEofEndsSession = (
  stdinDone: boolean,
  stdinIsTTY: boolean,
  bytesFromStdin: number,
  stdinIsRegularFile: boolean,
): boolean => stdinDone || stdinIsTTY || (bytesFromStdin === 0 && !stdinIsRegularFile);

let optimizationLimited = false;

/**
 * Relay one connection: source -> socket and socket -> sink (stdin and stdout, or an -e child),
 * two independent directions with backpressure, ended by the rules above. The connection is a
 * TCP or unix socket, or a UDP association (see net/udp.ts). Resolves once it is closed and
 * everything received has been handed to the sink.
 */
export const relay = (socket: Duplex, stdin: Source, stdout: Sink, rules: RelayRules): Promise<RelayEnd> =>
  new Promise((resolve) => {
    // Without TurboFan only while every read is large: 64 KiB reads of a narrow pipe need it.
    if (!optimizationLimited && largeReads()) {
      optimizationLimited = true;
      void import('../v8-tiers.js').then(({ limitOptimization }) => limitOptimization());
    }
    let bytesFromStdin = 0;
    /** stdin hit EOF and every byte of it was handed to the kernel. */
    let stdinDone = false;
    /** The peer hit EOF and every byte was handed to stdout. */
    let netDone = false;
    /** The reader of stdout went away (EPIPE): what the peer sends is dropped from now on. */
    let sinkGone = false;
    let finished = false;
    let quitTimer: NodeJS.Timeout | undefined;
    /** The socket still refers to a chunk of stdin: stdin stays paused until it is written. */
    let socketHolding = false;
    // -w once connected: silence in both directions for this long ends the session.
    const idleTimer =
      rules.idleTimeoutMs === undefined ? undefined : setTimeout(() => finish('idle'), rules.idleTimeoutMs);
    const activity = (): void => {
      idleTimer?.refresh();
    };

    const finish = (how: RelayEnd): void => {
      if (finished) return;
      finished = true;
      clearTimeout(quitTimer);
      clearTimeout(idleTimer);
      cancelUnusable();
      stdin.detach();
      socket.removeListener('data', onNetData);
      // Ended before stdin's EOF, the peer still connected: the source's last bytes go out first.
      if (how === 'complete' && !stdinDone && socket.writable) {
        const last = stdin.endWithoutEof?.();
        if (last !== undefined) socket.write(last);
      }
      // On a normal end, let what stdin already handed to the socket leave before closing it. On
      // -q's quit the peer may still be sending: what it sends is read and dropped until it has
      // acknowledged all of ours, since a close with its data unread would reset ours away.
      // After an idle timeout or a reset the peer is not reading at all: waiting could hang.
      if (how === 'quit') socket.resume();
      void (
        how === 'complete'
          ? flushed(socket)
          : how === 'quit'
            ? acknowledged(socket, rules.idleTimeoutMs)
            : Promise.resolve()
      )
        .then(() => {
          socket.destroy();
          return stdout.flush();
        })
        .then(() => resolve(how));
    };

    const afterStdinFlushed = (): void => {
      if (finished) return;
      stdinDone = true;
      if (rules.quitAfterEofMs === 0) {
        finish('quit');
        return;
      }
      if (rules.quitAfterEofMs !== undefined) {
        quitTimer = setTimeout(() => finish('quit'), rules.quitAfterEofMs);
      }
      if (netDone || sinkGone) finish('complete');
    };

    const onNetDone = (): void => {
      if (finished || netDone) return;
      netDone = true;
      if (rules.afterPeerEof === 'close-sink') {
        stdout.end();
        if (stdinDone) finish('complete');
        return;
      }
      if (peerEofEndsSession(stdinDone, stdin.isTTY, bytesFromStdin, stdin.isRegularFile)) {
        finish('complete');
      }
    };

    stdin.attach({
      onData(chunk) {
        activity();
        bytesFromStdin += chunk.length;
        // stdin may read into this chunk's memory again once it runs on: it pauses while the
        // socket still refers to the chunk (the kernel did not take it all) instead of waiting
        // for 'drain', which comes only once the socket's buffer is below its high-water mark.
        socket.write(chunk, () => {
          if (!socketHolding) return;
          socketHolding = false;
          stdin.resume();
        });
        if (socket.writableLength > 0) {
          socketHolding = true;
          stdin.pause();
        }
      },
      onEnd() {
        if (finished) return;
        if (shouldHalfClose(rules.shutdown, bytesFromStdin, stdin.isRegularFile)) {
          socket.end(afterStdinFlushed);
        } else {
          void flushed(socket).then(afterStdinFlushed);
        }
      },
    });

    /** What arrived, before the sink: -t's answer; false if it is dropped (--send-only). */
    const arrived = (chunk: Buffer): boolean => {
      activity();
      const reply = rules.answer?.(chunk);
      if (reply !== undefined) socket.write(reply);
      return rules.discardReceived !== true;
    };
    const onNetData = (chunk: Buffer): void => {
      if (!arrived(chunk) || stdout.write(chunk)) return;
      socket.pause();
      stdout.whenWritable(() => socket.resume());
    };
    // The same, reading into one reused buffer: the socket stops reading while the sink still
    // refers to the last chunk, and starts again once the sink has written it.
    const onSharedChunk = (chunk: Buffer): boolean => {
      if (finished) return true;
      if (stdout.holding === undefined) {
        onNetData(Buffer.from(chunk));
        return !socket.isPaused();
      }
      if (!arrived(chunk)) return true;
      stdout.write(chunk);
      if (!stdout.holding) return true;
      void stdout.flush().then(() => {
        if (!finished) socket.resume();
      });
      return false;
    };
    // A plain TCP or unix socket with nothing read yet (TLS sockets and the like read their own way).
    const plain = socket instanceof Socket && Object.getPrototypeOf(socket) === Socket.prototype;
    const shared =
      rules.sharedReceiveBuffer === true &&
      plain &&
      socket.readableLength === 0 &&
      readIntoSharedBuffer(socket, onSharedChunk);
    if (!shared) socket.on('data', onNetData);
    socket.on('end', onNetDone);

    const cancelUnusable = stdout.onUnusable(() => {
      if (stdout.failure !== undefined) {
        finish('stdout-failed');
        return;
      }
      // The reader of stdout went away: drop the rest of what the peer sends and keep sending
      // stdin until its EOF, as nc does (a terminal or an ended stdin has nothing more to send).
      sinkGone = true;
      socket.resume();
      if (stdinDone || stdin.isTTY) finish('complete');
    });

    // A reset or a failed write means the peer is gone: nc ends quietly with status 0.
    socket.on('error', (error) => {
      if (!finished) rules.onReset?.(error);
      finish('reset');
    });
    socket.on('close', () => finish('complete'));
    socket.resume();
  });
