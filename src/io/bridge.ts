import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * One end of a relayed connection: the stream bytes flow through (a socket, or its TLS session)
 * and the TCP socket under it, if any, which is what a reset is sent on.
 */
export interface BridgeEnd {
  readonly stream: Duplex;
  readonly tcp: Socket | undefined;
}

/** How a relayed connection ended: both EOFs passed on, a reset passed on, or -w's silence. */
export type BridgeOutcome = 'eof' | 'reset' | 'idle';

export interface BridgeResult {
  readonly outcome: BridgeOutcome;
  /** For 'reset': the side whose error (a reset, a failed write) ended it. */
  readonly resetBy: 'client' | 'target' | undefined;
  readonly error: unknown;
  /** Bytes read from the client and handed to the target, and the other way. */
  readonly toTarget: number;
  readonly fromTarget: number;
}

/**
 * Send a reset on a TCP connection (SO_LINGER 0, then close), so the peer sees ECONNRESET rather
 * than an EOF it could take for a complete answer; a unix socket has no reset and is closed.
 */
export const resetEnd = (end: BridgeEnd): void => {
  const { tcp } = end;
  if (tcp !== undefined && !tcp.destroyed && !tcp.connecting && tcp._handle !== null) {
    try {
      tcp.resetAndDestroy();
    } catch {
      // Not a TCP handle after all (a unix socket): a plain close is all there is.
      tcp.destroy();
    }
  }
  end.stream.destroy();
};

declare module 'node:net' {
  interface Socket {
    /** Node's handle: null once closed (resetAndDestroy() throws on a handle other than TCP). */
    readonly _handle: object | null;
  }
}

/**
 * Relay two connections both ways, each direction with its own backpressure (a slow reader on
 * one side stops reads on the other: memory is bounded by the socket buffers). The rules, those
 * of "How a session ends" (docs/options.md) between two sockets:
 *
 * | what happens on one side         | what the relay does                                      |
 * |----------------------------------|----------------------------------------------------------|
 * | EOF (FIN), all its bytes written | FIN to the other side; the other direction goes on        |
 * | both directions have had EOF     | close both: the connection is complete ('eof')            |
 * | reset, or a write to it fails    | reset the other side at once, close both ('reset')        |
 * | closed without an EOF (a TLS     | the same as a reset                                       |
 * |   session cut short)             |                                                          |
 * | -w: no byte either way for that  | close both ('idle')                                       |
 *   long                             |                                                          |
 *
 * Resolves once both are closed.
 */
export const bridge = (
  client: BridgeEnd,
  target: BridgeEnd,
  idleTimeoutMs: number | undefined,
): Promise<BridgeResult> =>
  new Promise((resolve) => {
    let toTarget = 0;
    let fromTarget = 0;
    let finished = false;
    /** Directions whose EOF has been passed on and written (client->target, target->client). */
    let directionsDone = 0;
    const idleTimer =
      idleTimeoutMs === undefined ? undefined : setTimeout(() => finish('idle', undefined), idleTimeoutMs);

    const finish = (outcome: BridgeOutcome, by: 'client' | 'target' | undefined, error?: unknown): void => {
      if (finished) return;
      finished = true;
      clearTimeout(idleTimer);
      for (const end of [client, target])
        end.stream.removeListener('data', end === client ? onClient : onTarget);
      if (outcome === 'reset') {
        // The side that failed is gone already; the other is told with a reset of its own.
        resetEnd(by === 'client' ? target : client);
        (by === 'client' ? client : target).stream.destroy();
      } else {
        client.stream.destroy();
        target.stream.destroy();
      }
      resolve({ outcome, resetBy: by, error, toTarget, fromTarget });
    };

    const direction = (
      from: Duplex,
      to: Duplex,
      count: (bytes: number) => void,
    ): ((chunk: Buffer) => void) => {
      let waiting = false;
      const resume = (): void => {
        waiting = false;
        if (!finished) from.resume();
      };
      from.on('end', () => {
        if (finished) return;
        // FIN once everything read before it has been handed to the kernel.
        to.end(() => {
          directionsDone += 1;
          if (directionsDone === 2) finish('eof', undefined);
        });
      });
      return (chunk: Buffer) => {
        idleTimer?.refresh();
        count(chunk.length);
        if (to.write(chunk) || waiting) return;
        waiting = true;
        from.pause();
        to.once('drain', resume);
      };
    };
    const onClient = direction(client.stream, target.stream, (n) => {
      toTarget += n;
    });
    const onTarget = direction(target.stream, client.stream, (n) => {
      fromTarget += n;
    });

    for (const [end, side] of [
      [client, 'client'],
      [target, 'target'],
    ] as const) {
      const { stream } = end;
      let sawEnd = false;
      stream.once('end', () => {
        sawEnd = true;
      });
      stream.on('error', (error) => finish('reset', side, error));
      // Closed after its EOF and once its own FIN is out: the normal end of that socket (the
      // other direction's end() callback finishes the relay). Closed before either: cut short.
      stream.on('close', () => {
        if (!sawEnd || !stream.writableFinished) finish('reset', side);
      });
      if (stream.destroyed) finish('reset', side);
    }
    client.stream.on('data', onClient);
    target.stream.on('data', onTarget);
    client.stream.resume();
    target.stream.resume();
  });

/** The TCP socket under a stream, when it is one (a plain socket; not a unix one). */
export const tcpOf = (stream: Socket): Socket | undefined =>
  stream instanceof Socket && stream.remotePort !== undefined ? stream : undefined;
