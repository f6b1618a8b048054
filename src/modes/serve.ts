import { open, type FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';
import type { ServeConfig } from '../config.js';
import { errnoText, EXIT } from '../errors.js';
import { messages } from '../messages.js';
import type { AccessGate } from '../net/access.js';
import { admits, announcePeer, gateFor, openStreamServer, peerEndpoint } from './listen.js';
import type { ModeContext } from './session.js';

/**
 * Each client's one buffer. A client that does not read holds this much besides what the kernel
 * queues for it: the next read waits until the socket has handed the last one to the kernel.
 * 64 KiB reads halved one client's throughput; 256 KiB is as fast as 1 MiB was.
 */
const CHUNK = 256 << 10;

/**
 * Write chunk; true once the kernel has all of it, false if the connection failed or closed
 * first (a destroyed socket calls every pending write's callback).
 */
const written = (socket: Socket, chunk: Buffer): Promise<boolean> =>
  new Promise((resolve) => socket.write(chunk, (error) => resolve(error == null && !socket.destroyed)));

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
  // Positional reads on the one descriptor: clients never share a file position, and nothing is
  // attached to the shared handle per client. (A read stream on it added a listener each, a Node
  // warning from the 11th client on, and closed it for every client when one reset.)
  const buffer = Buffer.allocUnsafeSlow(CHUNK);
  for (let position = 0; ;) {
    let bytes: number;
    try {
      ({ bytesRead: bytes } = await file.read(buffer, 0, CHUNK, position));
    } catch {
      socket.destroy();
      return;
    }
    if (bytes === 0) break;
    position += bytes;
    // The socket refers to buffer's memory until the kernel has taken the bytes: reading into
    // it again before then would send later bytes in their place.
    if (!(await written(socket, buffer.subarray(0, bytes)))) {
      // The client went away mid-file: nc treats a reset as a normal end, so does --serve.
      socket.destroy();
      return;
    }
  }
  socket.end();
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
