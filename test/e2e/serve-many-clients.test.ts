// -l --serve with 120 clients at once, below and beyond -m: every admitted client gets the file's
// bytes, and stderr holds only tsnc's own lines (with --json, every line one valid event): no
// Node warning, whatever the number of clients served side by side. A client that resets
// mid-file ends its own transfer only.
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killAll, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { randomPayload, scratch, sha256 } from '../helpers/data.js';
import { parseJsonLine } from '../helpers/json-events.js';

afterEach(killAll);
const files = scratch();
afterAll(() => files.remove());

// Larger than what the kernel queues for a client that does not read: each transfer stays open
// until its client reads.
const payload = randomPayload(8 * 1024 * 1024 + 5);
const path = files.file('payload.bin', payload);
const CLIENTS = 120;
const PREFIX = 256 * 1024;

/** One client: connected, not reading until resumed; keeps what arrives. */
interface Client {
  readonly socket: Socket;
  readonly chunks: Buffer[];
  size: number;
  readonly closed: Promise<void>;
}

const client = (port: number): Client => {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.pause();
  const state: Client = {
    socket,
    chunks: [],
    size: 0,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
  };
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    state.chunks.push(chunk);
    state.size += chunk.length;
  });
  return state;
};

/** Read until at least n bytes have arrived, then stop reading. */
const readSome = (peer: Client, n: number): Promise<void> =>
  new Promise((resolve) => {
    const check = (): void => {
      if (peer.size < n) return;
      peer.socket.pause();
      peer.socket.removeListener('data', check);
      resolve();
    };
    peer.socket.on('data', check);
    peer.socket.resume();
  });

const start = async (json: boolean, args: string[]): Promise<{ proc: Proc; port: number }> => {
  const proc = tsnc([...(json ? ['--json'] : ['-v']), '-l', '-n', '-p', '0', '--serve', path, ...args]);
  const match = await proc.stderrLine(
    json ? /"event":"listening".*"port":(\d+)/ : /Listening on \S+ (\d+)\n/,
  );
  return { proc, port: Number(match[1]) };
};

/** The -v lines a --serve listener may print; anything else on stderr fails the test. */
const PLAIN_LINE =
  /^(?:Listening on \S+ \d+|Connection received on 127\.0\.0\.1 \d+|Refused connection from 127\.0\.0\.1 \d+: already 100 connections \(-m\))$/;

const lines = (stderr: string): string[] => stderr.split('\n').filter((line) => line !== '');

describe('-l --serve, 120 clients at once', () => {
  it.each([
    ['-m 150', false, ['-m', '150', '--count', String(CLIENTS)], CLIENTS],
    ['-m 150, --json', true, ['-m', '150', '--count', String(CLIENTS)], CLIENTS],
    ['the default -m (100)', false, [], 100],
    ['the default -m (100), --json', true, [], 100],
  ] as const)(
    '%s: every admitted client gets the file; stderr only tsnc’s lines',
    async (_, json, args, admitted) => {
      const { proc, port } = await start(json, [...args]);
      const clients = Array.from({ length: CLIENTS }, () => client(port));
      // Everyone is in (or refused) before anyone reads: the transfers all run side by side.
      const seen = (re: RegExp): number => (proc.stderr().match(re) ?? []).length;
      const accepted = json ? /"event":"accepted"/g : /^Connection received on /gm;
      const refused = json ? /"event":"refused"/g : /^Refused connection from /gm;
      await waitFor(
        () => seen(accepted) === admitted && seen(refused) === CLIENTS - admitted,
        `${admitted} accepted and ${CLIENTS - admitted} refused clients`,
        30_000,
      );
      // Every tenth client reads the whole file; the others its first 256 KiB, then reset.
      await Promise.all(
        clients.map(async (peer, index) => {
          peer.socket.resume();
          if (index % 10 === 0) {
            await peer.closed;
            return;
          }
          await new Promise<void>((resolve) => {
            const check = (): void => {
              if (peer.size < PREFIX) return;
              peer.socket.removeListener('data', check);
              peer.socket.destroy();
              resolve();
            };
            peer.socket.on('data', check);
            peer.socket.once('close', () => resolve());
            check();
          });
        }),
      );
      if (admitted < CLIENTS) {
        // No --count: the listener keeps listening until a signal ends it (after the last
        // transfer, so that --json's summary follows every served event).
        if (json) await waitFor(() => seen(/"event":"served"/g) === admitted, 'a served event per client');
        proc.kill('SIGTERM');
        expect(await proc.exited()).toBe(143);
      } else {
        expect(await proc.exited(30_000)).toBe(0);
      }
      const stderr = lines(proc.stderr());
      expect(stderr.length).toBeGreaterThan(admitted);
      for (const line of stderr) {
        if (json) {
          const event = parseJsonLine(line);
          expect(['listening', 'accepted', 'refused', 'served', 'summary']).toContain(event.event);
        } else {
          expect(line).toMatch(PLAIN_LINE);
        }
      }
      const served = clients.filter((peer) => peer.size > 0);
      expect(served.length).toBe(admitted);
      for (const [index, peer] of clients.entries()) {
        if (peer.size === 0) continue;
        const got = Buffer.concat(peer.chunks);
        if (index % 10 === 0) expect(sha256(got)).toBe(sha256(payload));
        else expect(got.subarray(0, PREFIX).equals(payload.subarray(0, PREFIX))).toBe(true);
      }
    },
    90_000,
  );
});

describe('-l --serve, a client that resets mid-file', () => {
  it('the others still get the whole file, and the listener exits after --count', async () => {
    const { proc, port } = await start(true, ['--count', '3']);
    const [early, quitter, late] = [client(port), client(port), client(port)];
    const seen = (event: string): number =>
      (proc.stderr().match(new RegExp(`"event":"${event}"`, 'g')) ?? []).length;
    await waitFor(() => seen('accepted') === 3, 'three clients');
    // One reads a little and resets while the other two are mid-file (each has read some and
    // stopped reading).
    for (const peer of [early, late, quitter]) await readSome(peer, PREFIX);
    quitter.socket.resetAndDestroy();
    await quitter.closed;
    await waitFor(() => seen('served') === 1, 'the end of the reset transfer');
    early.socket.resume();
    late.socket.resume();
    await Promise.all([early.closed, late.closed]);
    expect(sha256(Buffer.concat(early.chunks))).toBe(sha256(payload));
    expect(sha256(Buffer.concat(late.chunks))).toBe(sha256(payload));
    expect(await proc.exited()).toBe(0);
  });
});
