// Everything that keeps received (or stdin) bytes past the read that got them, fed in pieces of
// one or a few bytes by a real peer over a real socket (python3, TCP_NODELAY, a pause between
// sends, so that each piece is a read of its own), and checked byte for byte: -t's cut telnet
// commands (TCP, -U, TLS, UDP, -U -u), --verify's held-back trailer, --sha256 and --json's
// counts, --wait --expect's buffer, -C's CR at the end of a read, -i's partial line, and the
// replies of SOCKS5 and HTTP CONNECT proxies. Received chunks live in one shared buffer that the
// next read overwrites (src/io/read-buffer.ts): a piece kept as a view of it would be corrupted.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { killAll, listener, tsnc, waitFor, type Proc } from '../helpers/cli.js';
import { scratch } from '../helpers/data.js';
import { itWithNativeAnd, itWithPeer } from '../helpers/peers.js';
import { EXIT_MS } from './kit.js';
import { piecesPeer, type Step } from './pieces.js';

const files = scratch();
afterEach(killAll);
afterAll(() => files.remove());

let counter = 0;
const socketPath = (): string => join(files.dir, `s${(counter += 1)}.sock`);

const IAC = 255;
/** WILL ECHO, DO TERMINAL-TYPE, and the answers -t owes them: DONT ECHO, WONT TERMINAL-TYPE. */
const NEGOTIATION = Buffer.from([IAC, 251, 1, IAC, 253, 24]);
const REFUSALS = Buffer.from([IAC, 254, 1, IAC, 252, 24]);
/** The negotiation one byte per send, then some text; the refusals must come back. */
const negotiate: readonly Step[] = [
  { send: Buffer.concat([NEGOTIATION, Buffer.from('login: ')]), piece: 1 },
  { recv: REFUSALS.length },
  { shutdown: true },
  { eof: true },
];

/** Bytes with every value in them (IAC, CR, LF, NUL), the same each run. */
const payload = (length: number): Buffer =>
  Buffer.from(Array.from({ length }, (_, i) => (i * 97 + 255) % 256));

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Write stdin in these pieces, a pause between them so that each is a read of its own. */
const writePieces = async (proc: Proc, pieces: readonly (string | Buffer)[]): Promise<void> => {
  for (const [i, piece] of pieces.entries()) {
    if (i > 0) await sleep(50);
    proc.write(piece);
  }
};

const udpPort = async (proc: Proc): Promise<number> =>
  Number((await proc.stderrLine(/Bound on \S+ (\d+)\n/))[1]);

describe('split reads: -t answers a negotiation cut between reads', () => {
  itWithPeer('python3')('tsnc -l -t: each byte a read of its own from a TCP peer', async () => {
    const { proc, port } = await listener(['-t']);
    const peer = piecesPeer({ transport: 'tcp', role: 'connect', port, steps: negotiate });
    expect((await peer.received()).toString('hex')).toBe(REFUSALS.toString('hex'));
    expect(await proc.exited(EXIT_MS)).toBe(0);
    // The bytes themselves still go to stdout, as in nc.
    expect(proc.stdout().toString('hex')).toBe(
      Buffer.concat([NEGOTIATION, Buffer.from('login: ')]).toString('hex'),
    );
  });

  itWithPeer('python3')('tsnc -t connecting to a TCP peer that sends one byte at a time', async () => {
    const peer = piecesPeer({ transport: 'tcp', role: 'listen', port: 0, steps: negotiate });
    const proc = tsnc(['-t', '127.0.0.1', String(await peer.ready)]);
    expect((await peer.received()).toString('hex')).toBe(REFUSALS.toString('hex'));
    expect(await proc.exited(EXIT_MS)).toBe(0);
    expect(proc.stdout().subarray(0, NEGOTIATION.length).toString('hex')).toBe(NEGOTIATION.toString('hex'));
  });

  itWithNativeAnd('python3')('tsnc -l -U @name -t: a unix stream peer, one byte at a time', async () => {
    const name = `@tsnc-split-${process.pid}-${(counter += 1)}`;
    const proc = tsnc(['-l', '-v', '-t', '-U', name]);
    await proc.stderrLine(/Listening on /);
    const peer = piecesPeer({ transport: 'unix', role: 'connect', path: name, steps: negotiate });
    expect((await peer.received()).toString('hex')).toBe(REFUSALS.toString('hex'));
    expect(await proc.exited(EXIT_MS)).toBe(0);
  });

  itWithPeer('python3')('tsnc -l --ssl -t: one TLS record per byte', async () => {
    const { proc, port } = await listener(['--ssl', '-t']);
    const peer = piecesPeer({ transport: 'tcp', role: 'connect', port, tls: true, steps: negotiate });
    expect((await peer.received()).toString('hex')).toBe(REFUSALS.toString('hex'));
    expect(await proc.exited(EXIT_MS)).toBe(0);
  });

  itWithPeer('python3')('tsnc -u -l -t: one datagram per byte', async () => {
    const proc = tsnc(['-u', '-l', '-v', '-n', '-t', '-p', '0']);
    const port = await udpPort(proc);
    const peer = piecesPeer({
      transport: 'udp',
      role: 'connect',
      port,
      steps: [{ send: NEGOTIATION, piece: 1 }, { recv: REFUSALS.length }],
    });
    expect((await peer.received()).toString('hex')).toBe(REFUSALS.toString('hex'));
    await waitFor(() => proc.stdout().equals(NEGOTIATION), 'the datagrams on stdout');
  });

  itWithNativeAnd('python3')('tsnc -l -U -u -t: one unix datagram per byte', async () => {
    const path = socketPath();
    const proc = tsnc(['-l', '-v', '-t', '-U', '-u', path]);
    await proc.stderrLine(/Bound on /);
    const peer = piecesPeer({
      transport: 'unix-dgram',
      role: 'connect',
      path,
      bind: socketPath(),
      steps: [{ send: NEGOTIATION, piece: 1 }, { recv: REFUSALS.length }],
    });
    expect((await peer.received()).toString('hex')).toBe(REFUSALS.toString('hex'));
    await waitFor(() => proc.stdout().equals(NEGOTIATION), 'the datagrams on stdout');
  });
});

/** --verify's trailer for these bytes (src/io/verify.ts): magic, uint64 BE length, sha256. */
const verifyTrailer = (bytes: Buffer): Buffer => {
  const length = Buffer.alloc(8);
  length.writeBigUInt64BE(BigInt(bytes.length));
  return Buffer.concat([
    Buffer.from('TSNCv1\0\0', 'latin1'),
    length,
    createHash('sha256').update(bytes).digest(),
  ]);
};

describe('split reads: what is held back or counted', () => {
  itWithPeer('python3')('--verify: payload and trailer in pieces of 1, 5 and 60 bytes', async () => {
    const data = payload(200);
    // 1 and 5: the first bytes are held back whole; 60: the first read is longer than the trailer
    // and the next one overwrites where its held-back end was.
    for (const piece of [1, 5, 60]) {
      const { proc, port } = await listener(['--verify']);
      proc.endStdin();
      const mine = verifyTrailer(Buffer.alloc(0));
      const peer = piecesPeer({
        transport: 'tcp',
        role: 'connect',
        port,
        steps: [
          // tsnc's own trailer (its stdin is empty) says its session reads: the first piece is then
          // a read of its own.
          { recv: mine.length },
          { send: Buffer.concat([data, verifyTrailer(data)]), piece, pause: piece === 1 ? 0.005 : 0.02 },
          { shutdown: true },
          { eof: true },
        ],
      });
      expect((await peer.received()).toString('hex')).toBe(mine.toString('hex'));
      expect(await proc.exited(EXIT_MS)).toBe(0);
      expect(proc.stdout().toString('hex')).toBe(data.toString('hex'));
      expect(proc.stderr()).not.toMatch(/verify failed/);
    }
  });

  itWithPeer('python3')(
    '--sha256: counts and hashes of bytes received one per read and sent in pieces',
    async () => {
      const data = payload(64);
      const sent = ['ab', 'c\n', Buffer.from([0, 255, 13]), 'end\n'];
      const { proc, port } = await listener(['--sha256']);
      const peer = piecesPeer({
        transport: 'tcp',
        role: 'connect',
        port,
        steps: [{ send: data, piece: 1, pause: 0.005 }, { shutdown: true }, { eof: true }],
      });
      await proc.stderrLine(/Connection received/);
      await writePieces(proc, sent);
      proc.endStdin();
      const out = Buffer.concat(sent.map((piece) => Buffer.from(piece)));
      expect((await peer.received()).toString('hex')).toBe(out.toString('hex'));
      expect(await proc.exited(EXIT_MS)).toBe(0);
      expect(proc.stdout().toString('hex')).toBe(data.toString('hex'));
      expect(proc.stderr()).toContain(
        `tsnc: sent ${out.length} bytes, sha256 ${sha256(out)}\n` +
          `tsnc: received ${data.length} bytes, sha256 ${sha256(data)}\n`,
      );
    },
  );

  itWithPeer('python3')('--json: the summary counts and hashes bytes received one per read', async () => {
    const data = payload(64);
    const proc = tsnc(['-l', '-n', '--json', '--sha256', '-p', '0']);
    const port = Number((await proc.stderrLine(/"event":"listening".*"port":(\d+)/))[1]);
    const peer = piecesPeer({
      transport: 'tcp',
      role: 'connect',
      port,
      steps: [{ send: data, piece: 1, pause: 0.005 }, { shutdown: true }, { eof: true }],
    });
    await peer.received();
    expect(await proc.exited(EXIT_MS)).toBe(0);
    const summary = JSON.parse(proc.stderr().trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(summary).toMatchObject({
      event: 'summary',
      bytesReceived: data.length,
      sha256Received: sha256(data),
    });
    expect(proc.stdout().toString('hex')).toBe(data.toString('hex'));
  });

  itWithPeer('python3')(
    '--wait --expect: a banner that arrives one byte per read matches whole',
    async () => {
      // The first two bytes differ: a first read kept as a view and overwritten by the second
      // would still match if they were the same ('SS' of an SSH banner).
      const banner = '+OK tsnc_split ready\r\n';
      const peer = piecesPeer({
        transport: 'tcp',
        role: 'listen',
        port: 0,
        steps: [{ send: banner, piece: 1 }, { eof: true }],
      });
      const port = await peer.ready;
      // Anchored at both ends: a byte lost or overwritten between reads does not match.
      const proc = tsnc([
        '--wait',
        `127.0.0.1:${port}`,
        '--expect',
        '^\\+OK tsnc_split ready\\r\\n$',
        '--timeout',
        '15s',
      ]);
      expect(await proc.exited(EXIT_MS)).toBe(0);
      expect(proc.stderr()).toBe('');
      await peer.received();
    },
  );
});

describe('split reads: stdin in pieces', () => {
  itWithPeer('python3')(
    '-C: a CR at the end of one read and its LF at the start of the next stay one CRLF',
    async () => {
      const peer = piecesPeer({ transport: 'tcp', role: 'listen', port: 0, steps: [{ eof: true }] });
      const proc = tsnc(['-v', '-C', '-N', '127.0.0.1', String(await peer.ready)]);
      // Connected first: stdin written before that is read in one go.
      await proc.stderrLine(/succeeded!/);
      await writePieces(proc, ['a\r', '\n', 'b\n', '\r', '\n', 'c']);
      proc.endStdin();
      expect((await peer.received()).toString()).toBe('a\r\nb\r\n\r\nc');
      expect(await proc.exited(EXIT_MS)).toBe(0);
    },
  );

  itWithPeer('python3')('-i 1: a line cut between reads goes out whole', async () => {
    const peer = piecesPeer({ transport: 'tcp', role: 'listen', port: 0, steps: [{ eof: true }] });
    const proc = tsnc(['-v', '-i', '1', '-N', '127.0.0.1', String(await peer.ready)]);
    await proc.stderrLine(/succeeded!/);
    await writePieces(proc, ['ab', 'c\nd', 'e', 'f\n']);
    proc.endStdin();
    expect((await peer.received()).toString()).toBe('abc\ndef\n');
    expect(await proc.exited(EXIT_MS)).toBe(0);
  });
});

describe('split reads: proxy replies one byte per read', () => {
  const toTarget = 'to-target\n';
  const fromTarget = 'from-target\n';

  itWithPeer('python3')('-X 5: the SOCKS5 replies and the first bytes after them', async () => {
    const request = Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, 0, 80]);
    const peer = piecesPeer({
      transport: 'tcp',
      role: 'listen',
      port: 0,
      steps: [
        { recv: 3 },
        { send: Buffer.from([5, 0]), piece: 1 },
        { recv: 3 + request.length },
        // The session's first bytes right behind the reply: the handshake must not take them.
        {
          send: Buffer.concat([Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 80]), Buffer.from(fromTarget)]),
          piece: 1,
        },
        { shutdown: true },
        { eof: true },
      ],
    });
    const proc = tsnc(['-X', '5', '-x', `127.0.0.1:${await peer.ready}`, '127.0.0.1', '80']);
    proc.write(toTarget);
    proc.endStdin();
    const received = await peer.received();
    expect(received.toString('hex')).toBe(
      Buffer.concat([Buffer.from([5, 1, 0]), request, Buffer.from(toTarget)]).toString('hex'),
    );
    expect(await proc.exited(EXIT_MS)).toBe(0);
    expect(proc.stdout().toString()).toBe(fromTarget);
  });

  itWithPeer('python3')(
    '-X 5: the first bytes of the session in the same read as the end of the reply',
    async () => {
      const request = Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, 0, 80]);
      const reply = Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 80]);
      const peer = piecesPeer({
        transport: 'tcp',
        role: 'listen',
        port: 0,
        steps: [
          { recv: 3 },
          { send: Buffer.from([5, 0]) },
          { recv: 3 + request.length },
          // All of the reply but its last byte one per read; that byte and the session's first
          // bytes in one segment: the handshake reads them together and must hand the rest back.
          { send: reply.subarray(0, -1), piece: 1 },
          { send: Buffer.concat([reply.subarray(-1), Buffer.from(fromTarget)]), piece: 64, pause: 0.05 },
          { shutdown: true },
          { eof: true },
        ],
      });
      const proc = tsnc(['-X', '5', '-x', `127.0.0.1:${await peer.ready}`, '127.0.0.1', '80']);
      proc.write(toTarget);
      proc.endStdin();
      await peer.received();
      expect(await proc.exited(EXIT_MS)).toBe(0);
      expect(proc.stdout().toString()).toBe(fromTarget);
    },
  );

  itWithPeer('python3')('-X connect: the status line, a header and the first bytes after them', async () => {
    const reply = 'HTTP/1.0 200 Connection established\r\nProxy-Agent: py-pieces\r\n\r\n';
    const peer = piecesPeer({
      transport: 'tcp',
      role: 'listen',
      port: 0,
      steps: [
        { until: '\r\n\r\n' },
        { send: reply + fromTarget, piece: 1 },
        { shutdown: true },
        { eof: true },
      ],
    });
    const proc = tsnc(['-X', 'connect', '-x', `127.0.0.1:${await peer.ready}`, '127.0.0.1', '80']);
    proc.write(toTarget);
    proc.endStdin();
    expect((await peer.received()).toString()).toBe(`CONNECT 127.0.0.1:80 HTTP/1.0\r\n\r\n${toTarget}`);
    expect(await proc.exited(EXIT_MS)).toBe(0);
    expect(proc.stdout().toString()).toBe(fromTarget);
  });
});
