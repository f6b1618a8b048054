// -l -k --fan-out and -l -k -o TEMPLATE: clients served at once without a program.
//   --fan-out: each line of stdin goes to every client connected at that moment (a client more
//     than --fan-out-limit behind is disconnected); what clients send goes to stdout a whole line
//     at a time, so lines of different clients never mix.
//   -o TEMPLATE: what each client sends goes to its own file instead (a drop box); stdin is read
//     only with --fan-out as well.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FanSpec, ListenConfig } from '../config.js';
import { errnoText, EXIT } from '../errors.js';
import { expandTemplate } from '../options/extras.js';
import { peerEofEndsSession, shouldHalfClose } from '../io/relay.js';
import { messages } from '../messages.js';
import type { AccessGate } from '../net/access.js';
import type { Endpoint } from '../report.js';
import { admits, announcePeer, peerEndpoint } from './listen.js';
import type { ModeContext } from './session.js';

/**
 * A line longer than this is passed on in pieces (stdin to the clients, a client to stdout):
 * holding it whole would let one endless line take all memory.
 */
const MAX_LINE = 64 * 1024;

/** Lines from one byte stream: complete lines out (copied), the unfinished rest held. */
class LineSplitter {
  private rest: Buffer[] = [];
  private restLength = 0;

  /** The complete lines in chunk after what was held, or a long unfinished line; undefined: nothing yet. */
  push(chunk: Buffer): Buffer | undefined {
    const end = chunk.lastIndexOf(0x0a);
    if (end === -1) {
      // A copy: the chunk's memory may be read into again (stdin) once this returns.
      this.rest.push(Buffer.from(chunk));
      this.restLength += chunk.length;
      return this.restLength > MAX_LINE ? this.flush() : undefined;
    }
    const lines = Buffer.concat([...this.rest, chunk.subarray(0, end + 1)]);
    this.rest = end + 1 < chunk.length ? [Buffer.from(chunk.subarray(end + 1))] : [];
    this.restLength = chunk.length - end - 1;
    return lines;
  }

  /** What is held (a last line without its newline), or undefined. */
  flush(): Buffer | undefined {
    if (this.restLength === 0) return undefined;
    const rest = Buffer.concat(this.rest);
    this.rest = [];
    this.restLength = 0;
    return rest;
  }
}

/** One connected client. */
interface Client {
  readonly conn: Duplex;
  readonly endpoint: Endpoint;
  /** `ADDR PORT`, or the -U path, for the -v lines. */
  readonly label: string;
  readonly lines: LineSplitter;
  /** -o: its file. */
  readonly file: WriteStream | undefined;
  readonly fileName: string | undefined;
  received: number;
  /** The client sent its EOF. */
  peerEnded: boolean;
  /** Our side is ended (FIN sent) or the connection is gone: nothing more is written to it. */
  closed: boolean;
}

/** Serve the clients of an open listener as fan says, until a signal ends tsnc. */
export const fanMode = async (
  config: ListenConfig,
  fan: FanSpec,
  ctx: ModeContext,
  server: Server,
  announced: Promise<void>,
  gate: AccessGate | undefined,
  secured: (socket: Socket) => Promise<Duplex | undefined>,
): Promise<number> => {
  const clients = new Set<Client>();
  let connections = 0;
  let active = 0;
  const stdin = ctx.stdin;
  let stdinBytes = 0;
  let stdinDone = false;
  /** stdin's EOF was passed on as FIN: later clients get FIN at once. */
  let finSent = false;
  const stdinLines = new LineSplitter();

  /** stdout is full: every client stops reading until it drains. */
  let stdoutFull = false;
  const toStdout = (data: Buffer): void => {
    if (ctx.stdout.write(data) || stdoutFull) return;
    stdoutFull = true;
    for (const client of clients) client.conn.pause();
    ctx.stdout.whenWritable(() => {
      stdoutFull = false;
      for (const client of clients) if (!client.peerEnded) client.conn.resume();
    });
  };

  const endOurSide = (client: Client): void => {
    if (client.closed) return;
    client.closed = true;
    client.conn.end();
  };

  const drop = (client: Client): void => {
    const behind = client.conn.writableLength;
    client.closed = true;
    ctx.info(messages.fanOutDropped(client.label, fan.lagLimitText));
    ctx.event?.({ event: 'dropped', ...client.endpoint, behind, limit: fan.lagLimitBytes });
    client.conn.destroy();
  };

  const broadcast = (data: Buffer | undefined): void => {
    if (data === undefined) return;
    for (const client of clients) {
      if (client.closed) continue;
      client.conn.write(data);
      if (client.conn.writableLength > fan.lagLimitBytes) drop(client);
    }
  };

  /** The client's EOF has been handled (its last line out, its file closed): end ours if due. */
  const afterPeerEof = (client: Client): void => {
    if (!fan.fanOut || peerEofEndsSession(stdinDone, stdin.isTTY, stdinBytes, stdin.isRegularFile)) {
      endOurSide(client);
    }
  };

  const saved = (client: Client): void => {
    if (client.fileName !== undefined) {
      ctx.event?.({
        event: 'saved',
        ...client.endpoint,
        file: client.fileName,
        bytesReceived: client.received,
      });
    }
  };

  const start = (conn: Duplex, endpoint: Endpoint): void => {
    connections += 1;
    const address = endpoint.proto === 'unix' ? 'unix' : endpoint.address;
    const label = endpoint.proto === 'unix' ? endpoint.path : `${endpoint.address} ${endpoint.port}`;
    const fileName = fan.output === undefined ? undefined : expandTemplate(fan.output, connections, address);
    // Truncated if it exists, as a shell's `>` does.
    const file = fileName === undefined ? undefined : createWriteStream(fileName, { flags: 'w' });
    const client: Client = {
      conn,
      endpoint,
      label,
      lines: new LineSplitter(),
      file,
      fileName,
      received: 0,
      peerEnded: false,
      closed: false,
    };
    clients.add(client);
    file?.on('error', (error) => {
      ctx.warn(messages.outputFailed(fileName ?? '', errnoText(error)));
      client.closed = true;
      conn.destroy();
    });
    conn.on('data', (chunk: Buffer) => {
      client.received += chunk.length;
      if (file !== undefined) {
        if (!file.write(chunk)) {
          conn.pause();
          file.once('drain', () => conn.resume());
        }
        return;
      }
      const lines = client.lines.push(chunk);
      if (lines !== undefined) toStdout(lines);
    });
    conn.on('end', () => {
      client.peerEnded = true;
      if (file !== undefined) {
        file.end(() => {
          saved(client);
          afterPeerEof(client);
        });
        return;
      }
      const rest = client.lines.flush();
      if (rest !== undefined) toStdout(rest);
      afterPeerEof(client);
    });
    // A reset is a normal end, as in nc: what arrived is kept.
    conn.on('error', () => conn.destroy());
    conn.on('close', () => {
      client.closed = true;
      clients.delete(client);
      if (file !== undefined && !client.peerEnded) {
        client.peerEnded = true;
        file.end(() => saved(client));
      }
      if (file === undefined) {
        const rest = client.lines.flush();
        if (rest !== undefined) toStdout(rest);
      }
    });
    if (finSent) endOurSide(client);
    if (stdoutFull) conn.pause();
    else conn.resume();
  };

  server.on('connection', (socket: Socket) => {
    if (!admits(socket, ctx, gate, { active, max: config.maxConnections })) return;
    active += 1;
    socket.once('close', () => {
      active -= 1;
    });
    const endpoint = peerEndpoint(socket, config);
    void (async () => {
      await announcePeer(socket, config, ctx, announced);
      const conn = await secured(socket);
      if (conn !== undefined && !socket.destroyed) start(conn, endpoint);
    })();
  });

  stdin.attach({
    onData(chunk) {
      stdinBytes += chunk.length;
      broadcast(stdinLines.push(chunk));
    },
    onEnd() {
      stdinDone = true;
      broadcast(stdinLines.flush());
      finSent = shouldHalfClose(config.shutdown, stdinBytes, stdin.isRegularFile);
      for (const client of clients) if (finSent || client.peerEnded) endOurSide(client);
    },
  });

  // Like -k with -e: tsnc serves until a signal ends it.
  await new Promise((resolve) => server.once('close', resolve));
  return EXIT.ok;
};
