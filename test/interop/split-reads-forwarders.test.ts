// What the forwarding modes keep of a read past the callback that got it, fed in pieces by real
// peers over real sockets and checked byte for byte: --relay's writes queued behind a slow reader
// (TCP) and the datagrams queued while an association's upstream opens (UDP); --fan-out's
// partial lines, of stdin and of clients; -o's per-client files; --rate's held rest of a chunk
// across timers and -k sessions; --retry's stdin while nothing listens yet.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, listener, start, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { freePort, peerClient } from '../helpers/peer.js';
import { itWithPeer } from '../helpers/peers.js';
import { EXIT_MS } from './kit.js';
import { piecesPeer } from './pieces.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Bytes with every value in them, different at every offset modulo 251, the same each run. */
const payload = (length: number, seed = 0): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => (i * 7 + seed + Math.floor(i / 251)) % 256));

/** payload(65521, seed) over and over (a prime period: no read size lines up with it), as the python below. */
const pattern = (length: number, seed: number): Buffer => {
  const block = payload(65521, seed);
  return Buffer.concat(Array.from({ length: Math.ceil(length / block.length) }, () => block)).subarray(
    0,
    length,
  );
};

/** Write stdin in these pieces, a pause between them so that each is a read of its own. */
const writePieces = async (proc: Proc, pieces: readonly (string | Buffer)[], pauseMs = 40): Promise<void> => {
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await sleep(pauseMs);
    proc.write(piece);
  }
};

const accepted = (proc: Proc): number => (proc.stderr().match(/^Connection received on /gm) ?? []).length;

/**
 * A TCP backend that reads slowly (a pause first, then small reads with pauses: tsnc's writes to
 * it queue) while it sends `send` bytes of pattern(…, 1) at once; prints `port P`, then
 * `got LENGTH SHA256` after the client's EOF.
 */
const SLOW_BACKEND = `
import hashlib, socket, sys, threading, time
send = int(sys.argv[1])
server = socket.socket()
# A small receive buffer (the accepted socket inherits it): tsnc's writes to it queue.
server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
server.bind(("127.0.0.1", 0))
server.listen(1)
print("port", server.getsockname()[1], flush=True)
server.settimeout(20)
conn, _ = server.accept()
conn.settimeout(20)
block = bytes((i * 7 + 1 + i // 251) % 256 for i in range(65521))
data = (block * (send // len(block) + 1))[:send]
def sender():
    conn.sendall(data)
thread = threading.Thread(target=sender)
thread.start()
time.sleep(0.5)
got = bytearray()
while True:
    chunk = conn.recv(4096)
    if not chunk:
        break
    got.extend(chunk)
    if len(got) % (256 * 1024) < 4096:
        time.sleep(0.02)
thread.join()
conn.shutdown(socket.SHUT_WR)
print("got", len(got), hashlib.sha256(got).hexdigest(), flush=True)
conn.close()
`;

/**
 * A client of the relay: pattern(size, 5), its first 40 bytes one per segment (TCP_NODELAY, a
 * pause between), the rest as fast as it goes, not reading meanwhile (the target's bytes queue in
 * tsnc on their way to it); then its FIN, then it reads everything and prints `got LENGTH SHA256`.
 */
const RELAY_CLIENT = `
import hashlib, socket, sys, time
port, size = int(sys.argv[1]), int(sys.argv[2])
block = bytes((i * 7 + 5 + i // 251) % 256 for i in range(65521))
data = (block * (size // len(block) + 1))[:size]
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
sock.settimeout(20)
sock.connect(("127.0.0.1", port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range(40):
    sock.send(data[i : i + 1])
    time.sleep(0.005)
sock.sendall(data[40:])
sock.shutdown(socket.SHUT_WR)
got = bytearray()
while True:
    chunk = sock.recv(65536)
    if not chunk:
        break
    got.extend(chunk)
print("got", len(got), hashlib.sha256(got).hexdigest(), flush=True)
`;

describe('split reads: --relay', () => {
  itWithPeer('python3')(
    'TCP: pieces and 12 MiB each way through a relay whose target and client read slowly',
    async () => {
      // More than the kernel's socket buffers take (4 MiB send, 16 KiB receive): writes queue in tsnc.
      const size = 12 * 1024 * 1024;
      const backend = start('python3', ['-c', SLOW_BACKEND, String(size)]);
      await waitFor(() => /^port \d+$/m.test(backend.stdout().toString()), 'the backend port');
      const backendPort = Number(/^port (\d+)$/m.exec(backend.stdout().toString())?.[1]);
      const { proc, port } = await listener(['--relay', `127.0.0.1:${backendPort}`]);
      const client = start('python3', ['-c', RELAY_CLIENT, String(port), String(size)]);
      expect(await client.exited(EXIT_MS)).toBe(0);
      expect(await backend.exited(EXIT_MS)).toBe(0);
      expect(backend.stdout().toString()).toContain(`got ${size} ${sha256(pattern(size, 5))}\n`);
      expect(client.stdout().toString()).toBe(`got ${size} ${sha256(pattern(size, 1))}\n`);
      expect(await proc.exited(EXIT_MS)).toBe(0);
    },
  );

  itWithPeer('python3')(
    'UDP: a burst of datagrams while the association opens reaches the target whole and in order',
    async () => {
      const datagrams = Array.from({ length: 24 }, (_, i) => Buffer.from(`datagram-${i}|`));
      const all = Buffer.concat(datagrams);
      const target = piecesPeer({ transport: 'udp', role: 'listen', port: 0, steps: [{ recv: all.length }] });
      const proc = tsnc(['-u', '-l', '-v', '-n', '-p', '0', '--relay', `127.0.0.1:${await target.ready}`]);
      const port = Number((await proc.stderrLine(/^Bound on \S+ (\d+)$/m))[1]);
      // All at once: all but the first arrive before the association's upstream socket is ready.
      const client = piecesPeer({
        transport: 'udp',
        role: 'connect',
        port,
        steps: datagrams.map((datagram) => ({ send: datagram, piece: datagram.length, pause: 0 })),
      });
      await client.received();
      expect((await target.received()).toString()).toBe(all.toString());
    },
  );
});

describe('split reads: --fan-out and -o', () => {
  itWithPeer('python3')(
    "--fan-out: stdin's lines a byte per read to every client; clients' lines cut between reads go out whole",
    async () => {
      const { proc: hub, port } = await listener(['-k', '--fan-out']);
      const stdinText = 'first line\nsecond\n';
      const lines = ['one: alpha beta gamma\n', 'two: delta epsilon zeta\n', 'three: eta theta\n'];
      const clients = lines.map((line) =>
        piecesPeer({
          transport: 'tcp',
          role: 'connect',
          port,
          steps: [
            // The three send at once, a byte per read each: their partial lines interleave.
            { send: line, piece: 1, pause: 0.01 },
            { recv: stdinText.length },
            { shutdown: true },
            { eof: true },
          ],
        }),
      );
      await waitFor(() => accepted(hub) === lines.length, 'three clients');
      await writePieces(hub, [...stdinText]);
      hub.endStdin();
      for (const client of clients) expect((await client.received()).toString()).toBe(stdinText);
      await waitFor(
        () => hub.stdout().toString().split('\n').length === lines.length + 1,
        "the clients' lines on stdout",
      );
      expect(hub.stdout().toString().split('\n').slice(0, -1).sort()).toEqual(
        lines.map((line) => line.slice(0, -1)).sort(),
      );
    },
  );

  itWithPeer('python3')("-o: each client's bytes, a byte per read, in its own file", async () => {
    const { proc: box, port } = await listener(['-k', '-o', join(files.dir, 'drop-%n.bin')]);
    const uploads = [payload(300, 11), payload(200, 17)];
    const clients = uploads.map((upload) =>
      piecesPeer({
        transport: 'tcp',
        role: 'connect',
        port,
        steps: [{ send: upload, piece: 1, pause: 0.002 }, { shutdown: true }, { eof: true }],
      }),
    );
    for (const client of clients) await client.received();
    const saved = [1, 2].map((n) => readFileSync(join(files.dir, `drop-${n}.bin`)).toString('hex'));
    // Numbered in the order accepted, which may be either.
    expect(saved.sort()).toEqual(uploads.map((upload) => upload.toString('hex')).sort());
    expect(box.child.exitCode).toBeNull();
  });
});

describe('split reads: --rate and --retry', () => {
  itWithPeer('python3')(
    '--rate: chunks larger than a piece, held across timers, arrive byte for byte',
    async () => {
      const peer = piecesPeer({ transport: 'tcp', role: 'listen', port: 0, steps: [{ eof: true }] });
      const proc = tsnc(['-v', '--rate', '32k', '-N', '127.0.0.1', String(await peer.ready)]);
      await proc.stderrLine(/succeeded!/);
      const pieces = [payload(3000, 1), payload(1, 2), payload(5000, 3), payload(2, 4), payload(2500, 5)];
      await writePieces(proc, pieces, 30);
      proc.endStdin();
      expect(sha256(await peer.received())).toBe(sha256(Buffer.concat(pieces)));
      expect(await proc.exited(EXIT_MS)).toBe(0);
    },
  );

  itWithPeer('python3')(
    '--rate -k: the rest of a chunk held when a client leaves goes to the next one intact',
    async () => {
      const { proc, port } = await listener(['-k', '--rate', '16k']);
      const first = await peerClient(port);
      // One read of 48 KiB: about three seconds' worth, most of it held when the client leaves.
      const chunk = payload(48 * 1024, 9);
      proc.write(chunk);
      await first.receivedAtLeast(2048);
      first.socket.resetAndDestroy();
      await waitFor(
        () => /(?:read from|write to) \S+ port \d+ \(tcp\) failed/.test(proc.stderr()),
        'the reset session',
      );
      // More stdin before the next client: it must not overwrite the held rest.
      const later = payload(4096, 13);
      proc.write(later);
      // Time for that read to happen while no client is connected (the case under test); the
      // checks below hold whenever it happens.
      await sleep(100);
      const second = await peerClient(port);
      const all = Buffer.concat([chunk, later]);
      await waitFor(() => second.received().length >= later.length + 1024, 'the held rest and more', EXIT_MS);
      proc.endStdin();
      await second.fin;
      const got = second.received();
      // Whatever the first client missed in flight, the second gets an exact tail of stdin that
      // starts inside the held chunk.
      expect(got.length).toBeGreaterThan(later.length);
      expect(all.subarray(all.length - got.length).toString('hex')).toBe(got.toString('hex'));
      expect(chunk.subarray(0, first.received().length).toString('hex')).toBe(
        first.received().toString('hex'),
      );
      second.socket.end();
    },
  );

  itWithPeer('python3')('--retry: stdin written a byte per write before the listener exists', async () => {
    const port = await freePort();
    const proc = tsnc(['-v', '--retry', '20s', '--interval', '100ms', '-N', '127.0.0.1', String(port)]);
    await proc.stderrLine(/Connection refused/);
    const text = 'written before anyone listened\n';
    await writePieces(proc, [...text]);
    const peer = piecesPeer({ transport: 'tcp', role: 'listen', port, steps: [{ eof: true }] });
    await proc.stderrLine(/succeeded!/, EXIT_MS);
    await writePieces(proc, [...'and after\n']);
    proc.endStdin();
    expect((await peer.received()).toString()).toBe(`${text}and after\n`);
    expect(await proc.exited(EXIT_MS)).toBe(0);
  });
});
