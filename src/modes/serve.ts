import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { ServeConfig } from '../config.js';
import { errnoText, EXIT } from '../errors.js';
import { messages } from '../messages.js';
import type { AccessGate } from '../net/access.js';
import { admits, announcePeer, gateFor, openStreamServer, peerEndpoint } from './listen.js';
import type { ModeContext } from './session.js';

/** Large reads, as for a regular-file stdin: Node's 64 KiB default halves the throughput. */
const CHUNK = 1 << 20;

/**
 * Send the whole file to one client, then FIN; what the client sends is read and dropped.
 * Resolves once the client has closed its end too (or the connection failed): closing first
 * with unread bytes from the client would reset the connection and could cut the file short.
 */
const sendFile = async (
  socket: Socket,
  file: FileHandle,
  idleTimeoutMs: number | undefined,
): Promise<void> => {
  socket.on('error', () => undefined);
  if (idleTimeoutMs !== undefined) socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  const peerDone = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
  socket.resume();
  // Positional reads from offset 0 on the one descriptor: clients never share a file position.
  const reader = createReadStream('', { fd: file, start: 0, autoClose: false, highWaterMark: CHUNK });
  try {
    await pipeline(reader, socket, { end: true });
  } catch {
    // The client went away mid-file: nc treats a reset as a normal end, so does --serve.
    socket.destroy();
    return;
  }
  await peerDone;
  socket.destroy();
};

/**
 * -l --serve FILE: every client gets the whole file, concurrently (at most -m at once), and the
 * listener goes on; with --count N it stops listening after N clients and exits once they are
 * served. The file is opened once, at start-up, so a bad path fails before anyone connects.
 */
export const serveMode = async (config: ServeConfig, ctx: ModeContext): Promise<number> => {
  let file: FileHandle;
  try {
    file = await open(config.file, 'r');
  } catch (error) {
    ctx.warn(messages.pathFailed(config.file, errnoText(error)));
    return EXIT.failure;
  }
  try {
    if (!(await file.stat()).isFile()) {
      ctx.warn(messages.notRegularFile(config.file));
      return EXIT.failure;
    }
    const gate = await gateFor(config);
    return await serveClients(config, ctx, file, gate);
  } finally {
    await file.close();
  }
};

const serveClients = async (
  config: ServeConfig,
  ctx: ModeContext,
  file: FileHandle,
  gate: AccessGate | undefined,
): Promise<number> => {
  const { server, announced } = await openStreamServer(config, ctx);

  let accepted = 0;
  let active = 0;
  const transfers = new Set<Promise<void>>();
  server.on('connection', (socket: Socket) => {
    if (config.count !== undefined && accepted >= config.count) {
      socket.destroy();
      return;
    }
    if (!admits(socket, ctx, gate, { active, max: config.maxConnections })) return;
    accepted += 1;
    active += 1;
    // The last of --count N clients: later ones are refused by the kernel, as without -k.
    if (config.count !== undefined && accepted >= config.count) server.close();
    const endpoint = peerEndpoint(socket, config);
    const transfer = (async () => {
      await announcePeer(socket, config, ctx, announced);
      await sendFile(socket, file, config.idleTimeoutMs);
      ctx.event?.({ event: 'served', ...endpoint, bytesSent: socket.bytesWritten });
    })().finally(() => {
      active -= 1;
      transfers.delete(transfer);
    });
    transfers.add(transfer);
  });
  // Without --count the server never closes: tsnc serves until a signal ends it.
  await new Promise((resolve) => server.once('close', resolve));
  await Promise.all(transfers);
  return EXIT.ok;
};
