import { closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { execFileSync, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sink, Source } from '../../src/io/endpoints.js';
import { readIntoSharedBuffer, ReusingFileReader, ReusingPipeReader } from '../../src/io/read-buffer.js';
import { relay } from '../../src/io/relay.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';

// tsnc's memory target rests on reading into reused buffers (src/io/read-buffer.ts); for sockets a
// server accepts, that takes two fields of net.Socket that Node sets for `onread`. These tests
// fail when a Node version drops them, instead of tsnc silently falling back to a fresh buffer
// per read (correct, but 60-100 MiB instead of about 45).

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** An accepted socket and its client, on loopback. */
const socketPair = (): Promise<{ accepted: Socket; client: Socket }> =>
  new Promise((resolve) => {
    const server = createServer({ allowHalfOpen: true });
    servers.push(server);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      const client = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      server.once('connection', (accepted: Socket) => resolve({ accepted, client }));
    });
  });

const noInput: Source = {
  ended: true,
  isTTY: false,
  isRegularFile: false,
  attach: (consumer) => queueMicrotask(() => consumer.onEnd()),
  detach: () => undefined,
  pause: () => undefined,
  resume: () => undefined,
};

/** A sink that records every chunk's memory and copies its bytes; it can hold each chunk a while. */
const recordingSink = (holdMs: number) => {
  const copies: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  let holdingUntil = 0;
  let holdTimer: NodeJS.Timeout | undefined;
  const flushWaiters: (() => void)[] = [];
  const sink: Sink = {
    usable: true,
    failure: undefined,
    get holding() {
      return Date.now() < holdingUntil;
    },
    write(chunk) {
      memory.add(chunk.buffer);
      copies.push(Buffer.from(chunk));
      if (holdMs > 0) {
        holdingUntil = Date.now() + holdMs;
        // While held, the chunk must not change under us: check it when the hold ends.
        const held = chunk;
        const copy = copies[copies.length - 1];
        holdTimer = setTimeout(() => {
          if (!held.equals(copy as Buffer)) throw new Error('a held chunk was overwritten');
          holdingUntil = 0;
          for (const waiter of flushWaiters.splice(0)) waiter();
        }, holdMs);
      }
      return true;
    },
    whenWritable: (callback) => queueMicrotask(callback),
    onUnusable: () => () => undefined,
    flush: () =>
      new Promise<void>((resolve) => {
        if (Date.now() >= holdingUntil) resolve();
        else flushWaiters.push(resolve);
      }),
    end: () => clearTimeout(holdTimer),
  };
  return { sink, copies, memory };
};

describe('receiving into one reused buffer', () => {
  it('works on a socket a server accepted (the Node internals are there)', async () => {
    const { accepted, client } = await socketPair();
    const seen = new Set<ArrayBufferLike>();
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve) => accepted.on('end', resolve));
    expect(
      readIntoSharedBuffer(accepted, (chunk) => {
        seen.add(chunk.buffer);
        chunks.push(Buffer.from(chunk));
        return true;
      }),
    ).toBe(true);
    accepted.resume();
    const payload = randomPayload(4 << 20);
    client.end(payload);
    await done;
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(payload));
    expect(seen.size).toBe(1);
    accepted.destroy();
  });

  it('the relay uses it for stdout, and never overwrites a chunk the sink still holds', async () => {
    const { accepted, client } = await socketPair();
    const { sink, copies, memory } = recordingSink(2);
    const payload = randomPayload(2 << 20);
    const ended = relay(accepted, noInput, sink, {
      shutdown: 'auto',
      quitAfterEofMs: undefined,
      idleTimeoutMs: undefined,
      sharedReceiveBuffer: true,
    });
    client.end(payload);
    await ended;
    expect(sha256(Buffer.concat(copies))).toBe(sha256(payload));
    expect(memory.size).toBe(1);
    client.destroy();
  });
});

describe('stdin read into one reused buffer', () => {
  /** Everything a reader emits, with pauses as a consumer makes them. */
  const drain = (reader: ReusingFileReader | ReusingPipeReader, pauseEvery: number): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      reader.on('data', (chunk: Buffer) => {
        chunks.push(Buffer.from(chunk));
        if (chunks.length % pauseEvery === 0) {
          reader.pause();
          setTimeout(() => reader.resume(), 1);
        }
      });
      reader.on('end', () => resolve(Buffer.concat(chunks)));
      reader.on('error', reject);
      reader.resume();
    });

  it('a regular file, with pauses', async () => {
    const dir = scratch();
    const payload = randomPayload((5 << 20) + 123);
    const fd = openSync(dir.file('in', payload), 'r');
    try {
      expect(sha256(await drain(new ReusingFileReader(fd), 2))).toBe(sha256(payload));
    } finally {
      closeSync(fd);
      dir.remove();
    }
  });

  it('a pipe, with pauses and what arrives while paused', async () => {
    const dir = scratch();
    const payload = randomPayload(3 << 20);
    const file = dir.file('in', payload);
    const fifo = join(dir.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', file, fifo], { stdio: 'ignore' });
    try {
      const reader = new ReusingPipeReader(fd);
      // What arrives before the first resume() is kept, as copies, and comes first.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(sha256(await drain(reader, 3))).toBe(sha256(payload));
    } finally {
      writer.kill();
      dir.remove();
    }
  });
});
